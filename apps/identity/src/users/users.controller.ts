import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CreateUserRequest,
  IdentityRpc,
  ListUsersRequest,
  UpdateUserRequest,
  UserListRequest,
  UserProfilesRequest,
  UserRefRequest,
  UsersStatsRequest,
  type ListResult,
  type UserProfile,
  type UsersStats,
  type UserSubscriptionView,
  type UserTenantView,
  type UserView,
} from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { UsersService } from './users.service.js';

@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @RpcHandler(IdentityRpc.usersStats)
  stats(@Payload() req: UsersStatsRequest): Promise<UsersStats> {
    return this.users.stats(req);
  }

  @RpcHandler(IdentityRpc.usersList)
  list(@Payload() req: ListUsersRequest): Promise<ListResult<UserView>> {
    return this.users.list(req);
  }

  @RpcHandler(IdentityRpc.usersCreate)
  create(@Payload() req: CreateUserRequest): Promise<UserView> {
    return this.users.create(req);
  }

  @RpcHandler(IdentityRpc.usersProfiles)
  profiles(@Payload() req: UserProfilesRequest): Promise<{ results: UserProfile[] }> {
    return this.users.profiles(req);
  }

  @RpcHandler(IdentityRpc.usersGet)
  get(@Payload() req: UserRefRequest): Promise<UserView> {
    return this.users.get(req);
  }

  @RpcHandler(IdentityRpc.usersUpdate)
  update(@Payload() req: UpdateUserRequest): Promise<UserView> {
    return this.users.update(req);
  }

  @RpcHandler(IdentityRpc.usersDelete)
  delete(@Payload() req: UserRefRequest): Promise<{ deleted: true; id: string }> {
    return this.users.delete(req);
  }

  @RpcHandler(IdentityRpc.usersTenants)
  tenants(@Payload() req: UserListRequest): Promise<ListResult<UserTenantView>> {
    return this.users.tenants(req, false);
  }

  @RpcHandler(IdentityRpc.usersOwnedTenants)
  ownedTenants(@Payload() req: UserListRequest): Promise<ListResult<UserTenantView>> {
    return this.users.tenants(req, true);
  }

  @RpcHandler(IdentityRpc.usersSubscriptions)
  subscriptions(@Payload() req: UserListRequest): Promise<ListResult<UserSubscriptionView>> {
    return this.users.subscriptions(req);
  }
}
