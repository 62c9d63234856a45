import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  BillingRpc,
  IdentityRpc,
  ProvisioningRpc,
  TenantsRpc,
  type CallerDto,
  type TenantActionAccepted,
  type Page,
  type TenantView } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller, Roles } from '../auth/auth.decorators.js';
import { HealthService } from '../health/health.service.js';
import { ApiListQuery, Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { AdminActionBody, ListTenantsQuery, TenantParams } from './dto/tenants.dto.js';
import { ApiPageResponse, ApiResult } from '../http/api-result.js';
import { AdminStatsDto, PlatformMetricsDto, TenantActionAcceptedDto, TenantViewDto } from './dto/tenant.views.js';

/** Platform admins' view of tenants: every tenant, actions with a reason, platform statistics. */
@ApiTags('admin')
@ApiAuth()
@Roles('admin')
@ApiProblems(400, 401, 403, 404, 409, 429, 503, 504)
@Controller('api/v1/admin')
export class AdminTenantsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
    private readonly health: HealthService,
  ) {}

  @Get('metrics/platform')
  @ApiOperation({
    operationId: 'admin.metrics.platform',
    summary: 'Platform-wide figures: tenants (by status, plan, strategy; sign-ups; operations), users, instances (status, CPU, memory, storage; jobs), revenue and health.',
    description:
      'Each section comes from the service that owns it; a section whose service does not answer is null and named in `unavailable`, so the rest still shows.',
  })
  @ApiResult(PlatformMetricsDto)
  async platformMetrics(@Caller() caller: CallerDto): Promise<PlatformMetricsDto> {
    const unavailable: string[] = [];
    /** A section, or null when its service is down or too slow (5xx); a refusal (4xx) is the answer. */
    const section = <T>(name: string, call: Promise<T>): Promise<T | null> =>
      call.catch((err: unknown) => {
        if (err instanceof DomainException && err.status >= 500) {
          unavailable.push(name);
          return null;
        }
        throw err;
      });
    const [tenants, users, instances, revenue, health] = await Promise.all([
      section('tenants', this.rpc.call(TenantsRpc.adminStats, { caller })),
      section('identity', this.rpc.call(IdentityRpc.usersStats, { caller })),
      section('provisioning', this.rpc.call(ProvisioningRpc.instancesStats, { caller })),
      section('billing', this.rpc.call(BillingRpc.revenue, { caller })),
      this.health.detailed(),
    ]);
    return {
      generated_at: new Date().toISOString(),
      tenants,
      users,
      instances,
      revenue,
      health: {
        status: health.status,
        services: Object.fromEntries(Object.entries(health.services).map(([name, entry]) => [name, entry.status])),
        postgres: health.postgres.status,
        nats: health.nats.status,
        event_backlog: health.jetstream.consumers.reduce((sum, c) => sum + c.pending + c.ack_pending, 0),
      },
      unavailable: unavailable.sort(),
    };
  }

  @Get('tenants')
  @ApiOperation({ operationId: 'admin.tenants.list', summary: 'All tenants (filters: status, plan/tier, owner_id, date_from, date_to; search; ordering).' })
  @ApiListQuery({ search: true, ordering: ['created_at', 'updated_at', 'name', 'slug', 'status', 'plan'] })
  @ApiPageResponse(TenantViewDto, 'A page of tenants.')
  async tenants(@Query() query: ListTenantsQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<TenantView>> {
    return this.paginator.toPage(await this.rpc.call(TenantsRpc.adminList, { ...query, caller }), query, request);
  }

  @Post('tenants/:id/actions')
  @HttpCode(202)
  @Idempotent()
  @ApiOperation({ summary: 'restart, stop, start, suspend, resume, migrate, backup or retry a tenant, with a reason.' })
  @ApiResult(TenantActionAcceptedDto, { description: 'The operation and the status URL to follow.' })
  action(@Param() params: TenantParams, @Body() body: AdminActionBody, @Caller() caller: CallerDto): Promise<TenantActionAccepted> {
    return this.rpc.call(TenantsRpc.adminAction, { ...body, id: params.id, caller });
  }

  @Get('stats')
  @ApiOperation({ operationId: 'admin.stats.get', summary: 'total_users, total_tenants, active_instances, total_revenue (null while billing is not available).' })
  @ApiResult(AdminStatsDto, { example: { total_users: 42, total_tenants: 17, active_instances: 15, total_revenue: 129900, currency: 'USD', tenants_by_status: { active: 15, pending: 2 }, tenants_by_plan: { free: 9, standard: 8 } } })
  async stats(@Caller() caller: CallerDto): Promise<AdminStatsDto> {
    const [users, tenants, revenue] = await Promise.all([
      this.rpc.call(IdentityRpc.usersList, { caller, page: 1, page_size: 1 }),
      this.rpc.call(
        TenantsRpc.adminStats,
        { caller },
      ),
      // Revenue is the billing service's; until it answers, say so rather than report 0.
      this.rpc.call(BillingRpc.revenue, { caller }).catch((err: unknown) => {
        if (err instanceof DomainException && err.status >= 500) return null;
        throw err;
      }),
    ]);
    return {
      total_users: users.count,
      total_tenants: tenants.total_tenants,
      active_instances: tenants.active_instances,
      total_revenue: revenue?.total_revenue ?? null,
      currency: revenue?.currency ?? null,
      tenants_by_status: tenants.by_status,
      tenants_by_plan: tenants.by_plan,
    };
  }
}
