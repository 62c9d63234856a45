import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  TenantPlansRequest,
  type TenantPlansView,
  CreateTenantRequest,
  InstanceActionRequest,
  ListTenantsRequest,
  TenantAccessRequest,
  TenantCredentialsRequest,
  TenantRefRequest,
  TenantsRpc,
  UpdateTenantRequest,
  type TenantAccess as TenantAccessView,
} from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { TenantAccess } from '../access/tenant-access.js';
import { TenantActionsService } from '../admin/tenant-actions.service.js';
import { TenantsService } from './tenants.service.js';
import { DataSource, In, Not } from 'typeorm';
import { Tenant } from './tenant.entity.js';

/** RPC surface of the tenants service; the gateway maps `/api/v1/tenants…` onto it one to one. */
@Controller()
export class TenantsController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly actions: TenantActionsService,
    private readonly access: TenantAccess,
    private readonly ds: DataSource,
  ) {}

  @RpcHandler(TenantsRpc.create)
  create(@Payload() req: CreateTenantRequest) {
    return this.tenants.create(req);
  }

  @RpcHandler(TenantsRpc.list)
  list(@Payload() req: ListTenantsRequest) {
    return this.tenants.list(req, 'mine');
  }

  @RpcHandler(TenantsRpc.get)
  get(@Payload() req: TenantRefRequest) {
    return this.tenants.get(req.caller, req.id);
  }

  @RpcHandler(TenantsRpc.update)
  update(@Payload() req: UpdateTenantRequest) {
    return this.tenants.update(req);
  }

  @RpcHandler(TenantsRpc.delete)
  delete(@Payload() req: TenantRefRequest) {
    return this.tenants.delete(req.caller, req.id);
  }

  @RpcHandler(TenantsRpc.status)
  status(@Payload() req: TenantRefRequest) {
    return this.tenants.status(req.caller, req.id);
  }

  @RpcHandler(TenantsRpc.plans)
  async plans(@Payload() req: TenantPlansRequest): Promise<TenantPlansView> {
    if (req.ids.length === 0) return { plans: {} };
    const rows = await this.ds.getRepository(Tenant).find({ where: { id: In(req.ids), status: Not('deleted') }, select: { id: true, plan: true } });
    return { plans: Object.fromEntries(rows.map((t) => [t.id, t.plan])) };
  }

  @RpcHandler(TenantsRpc.access)
  async checkAccess(@Payload() req: TenantAccessRequest): Promise<TenantAccessView> {
    const { tenant, role } = await this.access.authorize(this.ds.manager, req.caller, req.id, req.role);
    return { tenant_id: tenant.id, slug: tenant.slug, status: tenant.status, role };
  }

  @RpcHandler(TenantsRpc.instanceAction)
  instanceAction(@Payload() req: InstanceActionRequest) {
    return this.actions.perform(req.caller, req.id, req.action);
  }

  @RpcHandler(TenantsRpc.internalCredentials)
  credentials(@Payload() req: TenantCredentialsRequest) {
    return this.tenants.credentials(req.tenant_id);
  }
}
