import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ProvisioningRpc, TenantsRpc, type CallerDto, type InstanceMetricsView, type InstanceView, type LogEntryView, type Page, type TenantActionAccepted } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller } from '../auth/auth.decorators.js';
import { ApiPageResponse, ApiResult } from '../http/api-result.js';
import { Paginator } from '../http/list.js';
import { InstanceMetricsViewDto, InstanceViewDto, LogEntryViewDto } from './dto/instance.views.js';
import { TenantActionAcceptedDto } from './dto/tenant.views.js';
import { ApiProblems } from '../http/openapi.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { InstanceActionBody, LogsQuery, MetricsQuery, TenantParams } from './dto/tenants.dto.js';

/**
 * A tenant's running instance: details, actions, metrics, logs. The caller goes with every request:
 * the provisioning service authorizes it for the tenant itself (with the tenants service).
 */
@ApiTags('instances')
@ApiAuth()
@ApiProblems(400, 401, 403, 404, 409, 429, 503, 504)
@Controller('api/v1/tenants/:id')
export class InstancesController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
  ) {}

  @Get('instance')
  @ApiOperation({ operationId: 'tenants.instance.get', summary: 'The instance: runtime, status, resources, access URL, version.' })
  @ApiResult(InstanceViewDto)
  async instance(@Param() params: TenantParams, @Caller() caller: CallerDto): Promise<InstanceView> {
    return this.rpc.call(ProvisioningRpc.instanceGet, { tenant_id: params.id, caller });
  }

  @Post('instance/actions')
  @HttpCode(202)
  @Idempotent()
  @ApiOperation({ operationId: 'tenants.instance.action', summary: 'restart, stop or start the instance (tenant owner or admin): 202 with the operation.' })
  @ApiResult(TenantActionAcceptedDto, { description: 'The operation and the status URL to follow.' })
  action(@Param() params: TenantParams, @Body() body: InstanceActionBody, @Caller() caller: CallerDto): Promise<TenantActionAccepted> {
    return this.rpc.call(TenantsRpc.instanceAction, { id: params.id, action: body.action, caller });
  }

  @Get('metrics')
  @ApiOperation({ operationId: 'tenants.metrics.get', summary: 'CPU, memory, storage and network of the instance over a time range (`from`, `to`, `step_s`).' })
  @ApiResult(InstanceMetricsViewDto)
  async metrics(@Param() params: TenantParams, @Query() query: MetricsQuery, @Caller() caller: CallerDto): Promise<InstanceMetricsView> {
    return this.rpc.call(ProvisioningRpc.instanceMetrics, { ...query, tenant_id: params.id, caller });
  }

  @Get('logs')
  @ApiOperation({ operationId: 'tenants.logs.list', summary: 'Application logs, filtered by level (minimum), time range and text, paginated.' })
  @ApiPageResponse(LogEntryViewDto, 'A page of log lines, newest first.')
  async logs(@Param() params: TenantParams, @Query() query: LogsQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<LogEntryView>> {
    const result = await this.rpc.call(ProvisioningRpc.instanceLogs, { ...query, tenant_id: params.id, caller });
    return this.paginator.toPage(result, query, request);
  }
}
