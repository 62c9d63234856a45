import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { IdentityRpc, type AuditLogView, type CallerDto, type Page, type SecurityMetricsResponse } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller, Roles } from '../auth/auth.decorators.js';
import { ApiListQuery, Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { ListAuditLogsQuery, SecurityMetricsQuery } from './dto/users.dto.js';
import { ApiPageResponse, ApiResult } from '../http/api-result.js';
import { AuditLogViewDto, SecurityMetricsResponseDto } from './dto/views.js';

const uuid = { type: 'string', format: 'uuid' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;

/** `GET /api/v1/audit/logs`: every recorded change (admins; tenant owners with `tenant_id`). */
@ApiTags('audit')
@ApiAuth()
@ApiProblems(400, 401, 403, 404, 429, 503, 504)
@Controller('api/v1/audit/logs')
export class AuditController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'audit.logs.list', summary: 'Audit entries, newest first. Non-admins must name a tenant they own.' })
  @ApiListQuery({ search: true, ordering: ['timestamp', 'action', 'resource_type'] })
  @ApiQuery({ name: 'action', required: false, type: String, example: 'created' })
  @ApiQuery({ name: 'resource_type', required: false, type: String, example: 'user' })
  @ApiQuery({ name: 'user_id', required: false, schema: uuid, description: 'The acting user.' })
  @ApiQuery({ name: 'tenant_id', required: false, schema: uuid })
  @ApiQuery({ name: 'date_from', required: false, schema: dateTime })
  @ApiQuery({ name: 'date_to', required: false, schema: dateTime })
  @ApiPageResponse(AuditLogViewDto, 'A page of audit entries.')
  async list(@Query() query: ListAuditLogsQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<AuditLogView>> {
    return this.paginator.toPage(await this.rpc.call(IdentityRpc.auditLogsList, { ...query, caller }), query, request);
  }
}

/** `GET /api/v1/security/metrics` (admins). */
@ApiTags('security')
@ApiAuth()
@Roles('admin')
@ApiProblems(400, 401, 403, 429, 503, 504)
@Controller('api/v1/security')
export class SecurityController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('metrics')
  @ApiOperation({ operationId: 'security.metrics.get', summary: 'Failed logins, lockouts, token reuse and targeted accounts in a window ending now.' })
  @ApiQuery({ name: 'window_s', required: false, schema: { type: 'integer', minimum: 60, maximum: 90 * 86_400, default: 86_400 } })
  @ApiResult(SecurityMetricsResponseDto, { description: '`{ window_start, window_end, failed_logins, lockouts, token_reuse, accounts_targeted }`' })
  metrics(@Query() query: SecurityMetricsQuery, @Caller() caller: CallerDto): Promise<SecurityMetricsResponse> {
    return this.rpc.call(IdentityRpc.securityMetrics, { ...query, caller });
  }
}
