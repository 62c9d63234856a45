import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { IdentityRpc, ListQueryDto, type CallerDto, type Page, type SecurityScanView } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller, Roles } from '../auth/auth.decorators.js';
import type { GatewayConfig } from '../config.js';
import { ApiListQuery, Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { GATEWAY_CONFIG } from '../tokens.js';
import { gatewayFindings } from './gateway-findings.js';
import { ApiPageResponse, ApiResult } from '../http/api-result.js';
import { SecurityScanViewDto } from '../identity/dto/views.js';

class ScanParams {
  @IsUUID() id!: string;
}

/** `security/scan` (admins): findings on the platform's configuration and data, with severities and fixes. */
@ApiTags('security')
@ApiAuth()
@Roles('admin')
@ApiProblems(400, 401, 403, 429, 503, 504)
@Controller('api/v1/security')
export class SecurityScansController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post('scan')
  @HttpCode(202)
  @ApiOperation({ summary: "Scan the platform's configuration and data: 202 with the scan; follow its status_url.", operationId: 'security.scans.start' })
  @ApiResult(SecurityScanViewDto, { description: 'The scan, `running`.' })
  start(@Caller() caller: CallerDto): Promise<SecurityScanView> {
    return this.rpc.call(IdentityRpc.securityScanStart, { caller, gateway_findings: gatewayFindings(this.config) });
  }

  @Get('scans')
  @ApiOperation({ summary: 'Security scans, newest first.', operationId: 'security.scans.list' })
  @ApiListQuery({ ordering: ['started_at'] })
  @ApiPageResponse(SecurityScanViewDto)
  async list(@Query() query: ListQueryDto, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<SecurityScanView>> {
    return this.paginator.toPage(await this.rpc.call(IdentityRpc.securityScansList, { ...query, caller }), query, request);
  }

  @Get('scans/:id')
  @ApiOperation({ summary: 'A security scan: status, summary by severity, and each finding with its explanation and fix.', operationId: 'security.scans.get' })
  @ApiProblems(404)
  @ApiResult(SecurityScanViewDto, { description: 'The scan.' })
  get(@Param() params: ScanParams, @Caller() caller: CallerDto): Promise<SecurityScanView> {
    return this.rpc.call(IdentityRpc.securityScanGet, { id: params.id, caller });
  }
}
