import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { CallerDto, ListTenantsRequest, TenantsRpc, type ListResult, type TenantsAdminStats, type TenantView } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { TenantsAdminService } from './tenants-admin.service.js';

class AdminStatsRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;
}

@Controller()
export class TenantsAdminController {
  constructor(private readonly admin: TenantsAdminService) {}

  @RpcHandler(TenantsRpc.adminList)
  list(@Payload() req: ListTenantsRequest): Promise<ListResult<TenantView>> {
    return this.admin.list(req);
  }

  @RpcHandler(TenantsRpc.adminStats)
  stats(@Payload() req: AdminStatsRequest): Promise<TenantsAdminStats> {
    return this.admin.stats(req.caller);
  }
}
