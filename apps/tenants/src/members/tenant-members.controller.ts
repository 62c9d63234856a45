import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ListTenantMembersRequest, TenantMemberRequest, TenantsRpc, type TenantMemberRemoved } from '@saas/contracts';
import { TenantMembersService } from './tenant-members.service.js';

@Controller()
export class TenantMembersController {
  constructor(private readonly members: TenantMembersService) {}

  @MessagePattern(TenantsRpc.membersList)
  list(@Payload() req: ListTenantMembersRequest) {
    return this.members.list(req);
  }

  @MessagePattern(TenantsRpc.membersAdd)
  add(@Payload() req: TenantMemberRequest) {
    return this.members.add(req);
  }

  @MessagePattern(TenantsRpc.membersRemove)
  async remove(@Payload() req: TenantMemberRequest): Promise<TenantMemberRemoved> {
    await this.members.remove(req);
    return { removed: true };
  }
}
