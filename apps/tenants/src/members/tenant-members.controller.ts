import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ListTenantMembersRequest, TenantMemberRequest, TenantsRpc, type TenantMemberRemoved } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { TenantMembersService } from './tenant-members.service.js';

@Controller()
export class TenantMembersController {
  constructor(private readonly members: TenantMembersService) {}

  @RpcHandler(TenantsRpc.membersList)
  list(@Payload() req: ListTenantMembersRequest) {
    return this.members.list(req);
  }

  @RpcHandler(TenantsRpc.membersAdd)
  add(@Payload() req: TenantMemberRequest) {
    return this.members.add(req);
  }

  @RpcHandler(TenantsRpc.membersRemove)
  async remove(@Payload() req: TenantMemberRequest): Promise<TenantMemberRemoved> {
    await this.members.remove(req);
    return { removed: true };
  }
}
