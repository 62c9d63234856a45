import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { BillingRpc, IdentityRpc, TenantsRpc, type CallerDto, type Page, type SubscriptionView, type TenantMemberRemoved, type TenantMemberView, type TenantStatusView, type TenantView } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller } from '../auth/auth.decorators.js';
import { ApiListQuery, Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { AddMemberBody, CreateTenantBody, ListMembersQuery, ListTenantsQuery, TenantMemberParams, TenantParams, UpdateTenantBody } from './dto/tenants.dto.js';
import { ApiPageResponse, ApiResult } from '../http/api-result.js';
import { SubscriptionViewDto } from '../billing/dto/billing.views.js';
import { TenantMemberListItemDto, TenantMemberRemovedDto, TenantMemberViewDto, TenantStatusViewDto, TenantViewDto } from './dto/tenant.views.js';

/**
 * `/api/v1/tenants`: the caller's tenants. Authorization is the tenants service's (someone else's
 * tenant is a 404, a member without the role a 403); the gateway forwards the verified caller.
 */
@ApiTags('tenants')
@ApiAuth()
@ApiProblems(400, 401, 403, 404, 429, 503, 504)
@Controller('api/v1/tenants')
export class TenantsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Tenants the caller belongs to (filters: status, plan/tier, date_from, date_to; search; ordering).' })
  @ApiListQuery({ search: true, ordering: ['created_at', 'updated_at', 'name', 'slug', 'status', 'plan'] })
  @ApiPageResponse(TenantViewDto, 'A page of tenants.')
  async list(@Query() query: ListTenantsQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<TenantView>> {
    return this.paginator.toPage(await this.rpc.call(TenantsRpc.list, { ...query, caller }), query, request);
  }

  @Post()
  @HttpCode(202)
  @Idempotent()
  @ApiOperation({ summary: 'Create a tenant: 202, it is provisioned in the background (follow `status_url`).' })
  @ApiResult(TenantViewDto, { description: 'The tenant, `pending`, with its `status_url`.' })
  create(@Body() body: CreateTenantBody, @Caller() caller: CallerDto): Promise<TenantView> {
    return this.rpc.call(TenantsRpc.create, { ...body, caller });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One tenant (someone else’s → 404).' })
  @ApiResult(TenantViewDto, { description: 'The tenant (the instance admin password is never returned).' })
  get(@Param() params: TenantParams, @Caller() caller: CallerDto): Promise<TenantView> {
    return this.rpc.call(TenantsRpc.get, { id: params.id, caller });
  }

  @Put(':id')
  @ApiOperation({ operationId: 'tenants.replace', summary: 'Update a tenant. A database_strategy change runs as an operation (see status). The plan is the subscription’s: a different one is refused (409 PLAN_MANAGED_BY_BILLING; change it with PUT billing/subscriptions/{id}).' })
  @ApiResult(TenantViewDto, { description: 'The tenant.' })
  put(@Param() params: TenantParams, @Body() body: UpdateTenantBody, @Caller() caller: CallerDto): Promise<TenantView> {
    return this.rpc.call(TenantsRpc.update, { ...body, id: params.id, caller });
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'tenants.update', summary: 'Partial update (same fields and rules as PUT).' })
  @ApiResult(TenantViewDto, { description: 'The tenant.' })
  patch(@Param() params: TenantParams, @Body() body: UpdateTenantBody, @Caller() caller: CallerDto): Promise<TenantView> {
    return this.rpc.call(TenantsRpc.update, { ...body, id: params.id, caller });
  }

  @Delete(':id')
  @HttpCode(202)
  @ApiOperation({ summary: 'Delete a tenant: 202, it is deprovisioned in the background and ends `deleted`.' })
  @ApiResult(TenantViewDto, { description: 'The tenant, `deleting`.' })
  delete(@Param() params: TenantParams, @Caller() caller: CallerDto): Promise<TenantView> {
    return this.rpc.call(TenantsRpc.delete, { id: params.id, caller });
  }

  @Get(':id/status')
  @ApiOperation({ operationId: 'tenants.status.get', summary: 'Lifecycle status: status, progress 0–100, current step, error, operation, history.' })
  @ApiResult(TenantStatusViewDto)
  status(@Param() params: TenantParams, @Caller() caller: CallerDto): Promise<TenantStatusView> {
    return this.rpc.call(TenantsRpc.status, { id: params.id, caller });
  }

  @Get(':id/users')
  @ApiOperation({ operationId: 'tenants.members.list', summary: "Members of the tenant with their tenant role and the user's name, email and is_active (filter: role)." })
  @ApiListQuery({ ordering: ['created_at', 'role'] })
  @ApiPageResponse(TenantMemberListItemDto, 'A page of members.')
  async members(@Param() params: TenantParams, @Query() query: ListMembersQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<TenantMemberListItemDto>> {
    const page = await this.rpc.call(TenantsRpc.membersList, { ...query, id: params.id, caller });
    // The tenants service has authorized the caller; identity knows who the members are.
    const ids = page.results.map((m) => m.user_id);
    const profiles = ids.length ? (await this.rpc.call(IdentityRpc.usersProfiles, { ids })).results : [];
    const byId = new Map(profiles.map((p) => [p.id, p]));
    const results = page.results.map((m) => {
      const user = byId.get(m.user_id);
      return { ...m, id: m.user_id, name: user?.name ?? null, email: user?.email ?? null, is_active: user?.is_active ?? false };
    });
    return this.paginator.toPage({ count: page.count, results }, query, request);
  }

  @Post(':id/users')
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({ operationId: 'tenants.members.add', summary: 'Add a member (admins add members; the owner adds admins).' })
  @ApiResult(TenantMemberViewDto, { description: 'The membership.' })
  addMember(@Param() params: TenantParams, @Body() body: AddMemberBody, @Caller() caller: CallerDto): Promise<TenantMemberView> {
    return this.rpc.call(TenantsRpc.membersAdd, { ...body, id: params.id, caller });
  }

  @Delete(':id/users/:user_id')
  @HttpCode(200)
  @ApiOperation({ operationId: 'tenants.members.remove', summary: 'Remove a member (or leave the tenant yourself); the owner cannot be removed.' })
  @ApiResult(TenantMemberRemovedDto)
  removeMember(@Param() params: TenantMemberParams, @Caller() caller: CallerDto): Promise<TenantMemberRemoved> {
    return this.rpc.call(TenantsRpc.membersRemove, { id: params.id, user_id: params.user_id, caller });
  }

  @Get(':id/subscriptions')
  @ApiOperation({ summary: "The tenant's subscriptions (answered by the billing service)." })
  @ApiPageResponse(SubscriptionViewDto, 'The tenant’s subscriptions (one page, up to 100).')
  async subscriptions(@Param() params: TenantParams, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<SubscriptionView>> {
    await this.rpc.call(TenantsRpc.access, { id: params.id, role: 'member', caller });
    const query = { page: 1, page_size: 100 };
    return this.paginator.toPage(await this.rpc.call(BillingRpc.subscriptionsList, { ...query, tenant_id: params.id, caller }), query, request);
  }
}
