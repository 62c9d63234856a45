import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { TenantMemberRequest, TenantRefRequest, TenantsRpc } from '@saas/contracts';
import { TenantMembersService } from './tenant-members.service.js';

@Controller()
export class TenantMembersController {
  constructor(private readonly members: TenantMembersService) {}

  @MessagePattern(TenantsRpc.membersList)
  list(@Payload() req: TenantRefRequest) {
    return this.members.list(req.caller, req.id);
  }

  @MessagePattern(TenantsRpc.membersAdd)
  add(@Payload() req: TenantMemberRequest) {
    return this.members.add(req);
  }

  @MessagePattern(TenantsRpc.membersRemove)
  async remove(@Payload() req: TenantMemberRequest) {
    await this.members.remove(req);
    return { removed: true };
  }
}
