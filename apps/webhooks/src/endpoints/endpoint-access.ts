import { Injectable } from '@nestjs/common';
import { isAdmin, PLAN_CATALOGUE, TenantsRpc, type CallerDto, type TenantPlan } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import type { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { WebhookEndpointException } from './webhook-endpoint.exception.js';

/**
 * Who may manage which endpoints. A tenant's endpoints: its owner and admins (the tenants service
 * decides: a stranger gets 404, a plain member 403, platform admins pass). Platform endpoints
 * (`tenant_id` null, every tenant's events): platform admins only; to anyone else they do not exist.
 */
@Injectable()
export class EndpointAccess {
  constructor(private readonly rpc: RpcClient) {}

  async authorizeTenant(caller: CallerDto, tenantId: string): Promise<void> {
    await this.rpc.call(TenantsRpc.access, { id: tenantId, role: 'admin', caller });
  }

  /** How many endpoints the tenant's plan allows (the plan catalogue's `webhook_endpoints`), and the plan. */
  async endpointLimit(tenantId: string): Promise<{ plan: TenantPlan; limit: number }> {
    const { plans } = await this.rpc.call(TenantsRpc.plans, { ids: [tenantId] });
    const plan = plans[tenantId];
    if (!plan) throw WebhookEndpointException.endpointNotFound();
    return { plan, limit: PLAN_CATALOGUE[plan].limits.webhook_endpoints };
  }

  async authorizeEndpoint(caller: CallerDto, endpoint: WebhookEndpoint | null): Promise<WebhookEndpoint> {
    if (!endpoint) throw WebhookEndpointException.endpointNotFound();
    if (endpoint.tenantId === null) {
      if (!isAdmin(caller) || caller.tenant_id) throw WebhookEndpointException.endpointNotFound();
      return endpoint;
    }
    if (caller.tenant_id && caller.tenant_id !== endpoint.tenantId) throw WebhookEndpointException.endpointNotFound();
    try {
      await this.authorizeTenant(caller, endpoint.tenantId);
    } catch (err) {
      // The tenant's 404 says "no such tenant"; here it is the endpoint the caller cannot see.
      if ((err as { status?: number }).status === 404) throw WebhookEndpointException.endpointNotFound();
      throw err;
    }
    return endpoint;
  }
}
