import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { isAdmin, TenantsRpc, type CallerDto, type TenantMemberRole, type TenantPlan } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { RpcClient } from '@saas/messaging';
import { SERVICE_LOGGER } from '@saas/service-kit';
import { BillingException } from './billing.exception.js';

/** Billing acting on its own behalf (dunning suspensions, plan sync): a platform admin service actor. */
export const BILLING_PLATFORM_CALLER: CallerDto = { actor: { type: 'service', id: 'billing' }, roles: ['admin'] };

/**
 * What billing needs from the tenants service, over RPC (no cross-schema reads): who may see a
 * tenant's billing, and the tenant actions dunning and plan changes cause.
 */
@Injectable()
export class TenantsPort {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Someone else's tenant is a 404 (`notFound`), a member without the role a 403. Admins pass; a
   * credential bound to one tenant reaches that tenant only.
   */
  async authorize(caller: CallerDto, tenantId: string, role: TenantMemberRole, notFound: () => DomainException = BillingException.tenantNotFound): Promise<void> {
    if (caller.tenant_id && caller.tenant_id !== tenantId) throw notFound();
    if (isAdmin(caller)) return;
    try {
      await this.rpc.call(TenantsRpc.access, { caller, id: tenantId, role });
    } catch (err) {
      if (err instanceof DomainException && err.status === 404) throw notFound();
      throw err;
    }
  }

  /** Suspends (reason `billing`) or resumes the tenant; false when tenants refused or did not answer (tried again later). */
  async act(tenantId: string, action: 'suspend' | 'resume'): Promise<boolean> {
    try {
      await this.rpc.call(TenantsRpc.adminAction, { caller: BILLING_PLATFORM_CALLER, id: tenantId, action, reason: 'billing' });
      return true;
    } catch (err) {
      this.logger.warn({ err, tenant_id: tenantId, action }, 'tenant action for billing not accepted yet; will retry');
      return false;
    }
  }

  /** The subscription's plan becomes the tenant's (provisioning resizes it, limits follow). */
  async syncPlan(tenantId: string, plan: TenantPlan): Promise<boolean> {
    try {
      await this.rpc.call(TenantsRpc.update, { caller: BILLING_PLATFORM_CALLER, id: tenantId, plan });
      return true;
    } catch (err) {
      this.logger.warn({ err, tenant_id: tenantId, plan }, 'could not send the new plan to the tenants service');
      return false;
    }
  }
}
