import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IdentityRpc, UserRoles, type CallerDto, type ListResult, type Page, type UserSubscriptionView, type UserTenantView, type UserView } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller, Roles } from '../auth/auth.decorators.js';
import { CredentialRevocations } from '../auth/revocations.js';
import { ApiListQuery, Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { CreateUserBody, IdParams, ListUsersQuery, UpdateUserBody, UserSubListQuery } from './dto/users.dto.js';
import { ApiPageResponse, ApiResult } from '../http/api-result.js';
import { DeletedUserDto, UserSubscriptionViewDto, UserTenantViewDto, UserViewDto } from './dto/views.js';

/** The user's lists answered by identity (`GET users/{id}/tenants`, `owned-tenants`, `subscriptions`). */
type UserListSubject = typeof IdentityRpc.usersTenants | typeof IdentityRpc.usersOwnedTenants | typeof IdentityRpc.usersSubscriptions;

const USER_ORDERING = ['created_at', 'updated_at', 'email', 'last_login', 'role'];

/** `/api/v1/users`: 1:1 onto identity's user RPCs; identity decides who may see and change what. */
@ApiTags('users')
@ApiAuth()
@ApiProblems(400, 401, 403, 429, 503, 504)
@Controller('api/v1/users')
export class UsersController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
    private readonly revocations: CredentialRevocations,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Users (admins: everyone; others: themselves).' })
  @ApiListQuery({ search: true, ordering: USER_ORDERING })
  @ApiQuery({ name: 'role', required: false, enum: UserRoles })
  @ApiQuery({ name: 'is_active', required: false, type: Boolean })
  @ApiPageResponse(UserViewDto, 'A page of users.')
  async list(@Query() query: ListUsersQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<UserView>> {
    return this.paginator.toPage(await this.rpc.call(IdentityRpc.usersList, { ...query, caller }), query, request);
  }

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Create a user (admins).' })
  @ApiResult(UserViewDto, { description: 'The user.' })
  @ApiProblems(409)
  create(@Body() body: CreateUserBody, @Caller() caller: CallerDto): Promise<UserView> {
    return this.rpc.call(IdentityRpc.usersCreate, { ...body, caller });
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'One user (yourself, or anyone for admins; others → 404).' })
  @ApiResult(UserViewDto, { description: 'The user.' })
  @ApiProblems(404)
  get(@Param() params: IdParams, @Caller() caller: CallerDto): Promise<UserView> {
    return this.rpc.call(IdentityRpc.usersGet, { id: params.id, caller });
  }

  @Put(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Update a user (absent fields unchanged). Your own role, is_active, tier, email or password → 403.' })
  @ApiResult(UserViewDto, { description: 'The user.' })
  @ApiProblems(404, 409)
  replace(@Param() params: IdParams, @Body() body: UpdateUserBody, @Caller() caller: CallerDto): Promise<UserView> {
    return this.rpc.call(IdentityRpc.usersUpdate, { ...body, id: params.id, caller });
  }

  @Patch(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Update some fields of a user. Your own role, is_active, tier, email or password → 403.' })
  @ApiResult(UserViewDto, { description: 'The user.' })
  @ApiProblems(404, 409)
  update(@Param() params: IdParams, @Body() body: UpdateUserBody, @Caller() caller: CallerDto): Promise<UserView> {
    return this.rpc.call(IdentityRpc.usersUpdate, { ...body, id: params.id, caller });
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Delete a user (admins).' })
  @ApiResult(DeletedUserDto)
  @ApiProblems(404)
  async delete(@Param() params: IdParams, @Caller() caller: CallerDto): Promise<{ deleted: true; id: string }> {
    const deleted = await this.rpc.call(IdentityRpc.usersDelete, { id: params.id, caller });
    this.revocations.revokeUser(deleted.id ?? params.id);
    return deleted;
  }

  @Get(':id/tenants')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiListQuery()
  @ApiOperation({ operationId: 'users.tenants.list', summary: 'Tenants the user belongs to.' })
  @ApiPageResponse(UserTenantViewDto, 'A page of tenants with the user’s role.')
  @ApiProblems(404)
  tenants(@Param() params: IdParams, @Query() query: UserSubListQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<UserTenantView>> {
    return this.subList<UserTenantView>(IdentityRpc.usersTenants, params, query, caller, request);
  }

  @Get(':id/owned-tenants')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiListQuery()
  @ApiOperation({ operationId: 'users.ownedTenants.list', summary: 'Tenants the user owns.' })
  @ApiPageResponse(UserTenantViewDto, 'A page of tenants.')
  @ApiProblems(404)
  ownedTenants(@Param() params: IdParams, @Query() query: UserSubListQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<UserTenantView>> {
    return this.subList<UserTenantView>(IdentityRpc.usersOwnedTenants, params, query, caller, request);
  }

  @Get(':id/subscriptions')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiListQuery()
  @ApiOperation({ operationId: 'users.subscriptions.list', summary: 'Subscriptions of the user’s tenants.' })
  @ApiPageResponse(UserSubscriptionViewDto, 'A page of subscriptions.')
  @ApiProblems(404)
  subscriptions(@Param() params: IdParams, @Query() query: UserSubListQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<UserSubscriptionView>> {
    return this.subList<UserSubscriptionView>(IdentityRpc.usersSubscriptions, params, query, caller, request);
  }

  /** One of a user's lists (tenants, owned tenants, subscriptions), as a page. */
  private async subList<T extends UserTenantView | UserSubscriptionView>(subject: UserListSubject, params: IdParams, query: UserSubListQuery, caller: CallerDto, request: FastifyRequest): Promise<Page<T>> {
    return this.paginator.toPage((await this.rpc.call(subject, { ...query, id: params.id, caller })) as ListResult<T>, query, request);
  }
}

/** `GET /api/v1/admin/users`: the users list for operators (same RPC, admins only at the gateway). */
@ApiTags('admin')
@ApiAuth()
@Roles('admin')
@ApiProblems(400, 401, 403, 429, 503, 504)
@Controller('api/v1/admin/users')
export class AdminUsersController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'All users (admins).' })
  @ApiListQuery({ search: true, ordering: USER_ORDERING })
  @ApiQuery({ name: 'role', required: false, enum: UserRoles })
  @ApiQuery({ name: 'is_active', required: false, type: Boolean })
  @ApiPageResponse(UserViewDto, 'A page of users.')
  async list(@Query() query: ListUsersQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<UserView>> {
    return this.paginator.toPage(await this.rpc.call(IdentityRpc.usersList, { ...query, caller }), query, request);
  }
}
