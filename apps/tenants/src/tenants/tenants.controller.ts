import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CreateTenantRequest,
  ListTenantsRequest,
  TenantCredentialsRequest,
  TenantPlansRequest,
  TenantRefRequest,
  TenantsRpc,
  UpdateTenantRequest,
  type TenantPlansView,
} from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { TenantsService } from './tenants.service.js';

/** RPC surface of the tenants feature; the gateway maps `/api/v1/tenants…` onto it one to one. */
@Controller()
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

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
  plans(@Payload() req: TenantPlansRequest): Promise<TenantPlansView> {
    return this.tenants.plans(req.ids);
  }

  @RpcHandler(TenantsRpc.internalCredentials)
  credentials(@Payload() req: TenantCredentialsRequest) {
    return this.tenants.credentials(req.tenant_id);
  }
}
