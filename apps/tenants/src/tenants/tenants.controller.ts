import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
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
import { TenantsService } from './tenants.service.js';

/** RPC surface of the tenants feature; the gateway maps `/api/v1/tenants…` onto it one to one. */
@Controller()
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @MessagePattern(TenantsRpc.create)
  create(@Payload() req: CreateTenantRequest) {
    return this.tenants.create(req);
  }

  @MessagePattern(TenantsRpc.list)
  list(@Payload() req: ListTenantsRequest) {
    return this.tenants.list(req, 'mine');
  }

  @MessagePattern(TenantsRpc.get)
  get(@Payload() req: TenantRefRequest) {
    return this.tenants.get(req.caller, req.id);
  }

  @MessagePattern(TenantsRpc.update)
  update(@Payload() req: UpdateTenantRequest) {
    return this.tenants.update(req);
  }

  @MessagePattern(TenantsRpc.delete)
  delete(@Payload() req: TenantRefRequest) {
    return this.tenants.delete(req.caller, req.id);
  }

  @MessagePattern(TenantsRpc.status)
  status(@Payload() req: TenantRefRequest) {
    return this.tenants.status(req.caller, req.id);
  }

  @MessagePattern(TenantsRpc.plans)
  plans(@Payload() req: TenantPlansRequest): Promise<TenantPlansView> {
    return this.tenants.plans(req.ids);
  }

  @MessagePattern(TenantsRpc.internalCredentials)
  credentials(@Payload() req: TenantCredentialsRequest) {
    return this.tenants.credentials(req.tenant_id);
  }
}
