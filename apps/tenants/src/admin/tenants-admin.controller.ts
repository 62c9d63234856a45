import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AdminTenantActionRequest, CallerDto, ListTenantsRequest, TenantsRpc } from '@saas/contracts';
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

  @MessagePattern(TenantsRpc.adminList)
  list(@Payload() req: ListTenantsRequest) {
    return this.actions.adminList(req);
  }

  @MessagePattern(TenantsRpc.adminAction)
  action(@Payload() req: AdminTenantActionRequest) {
    return this.actions.perform(req.caller, req.id, req.action, req.reason);
  }

  @MessagePattern(TenantsRpc.adminStats)
  stats(@Payload() req: AdminStatsRequest) {
    return this.actions.stats(req.caller);
  }
}
