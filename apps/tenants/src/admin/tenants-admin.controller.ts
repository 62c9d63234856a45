import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AdminTenantActionRequest, CallerDto, ListTenantsRequest, TenantsRpc } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { TenantActionsService } from './tenant-actions.service.js';

class AdminStatsRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;
}

@Controller()
export class TenantsAdminController {
  constructor(private readonly actions: TenantActionsService) {}

  @RpcHandler(TenantsRpc.adminList)
  list(@Payload() req: ListTenantsRequest) {
    return this.actions.adminList(req);
  }

  @RpcHandler(TenantsRpc.adminAction)
  action(@Payload() req: AdminTenantActionRequest) {
    return this.actions.perform(req.caller, req.id, req.action, req.reason);
  }

  @RpcHandler(TenantsRpc.adminStats)
  stats(@Payload() req: AdminStatsRequest) {
    return this.actions.stats(req.caller);
  }
}
