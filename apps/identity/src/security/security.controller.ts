import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  IdentityRpc,
  ListSecurityScansRequest,
  ListThreatsRequest,
  SecurityScanRefRequest,
  StartSecurityScanRequest,
  SecurityMetricsRequest,
  SecurityReportRequest,
  ThreatActionRequest,
  type ActiveBlocks,
  type ListResult,
  type SecurityScanView,
  type SecurityBlockView,
  type SecurityMetricsResponse,
  type ThreatsResponse,
} from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { DomainException } from '@saas/errors';
import { Clock } from '@saas/service-kit';
import { CallerResolver } from '../common/caller.js';
import { SecurityEventsService } from './security-events.service.js';
import { SecurityScansService } from './security-scans.service.js';
import { ThreatsService } from './threats.service.js';

@Controller()
export class SecurityController {
  constructor(
    private readonly security: SecurityEventsService,
    private readonly callers: CallerResolver,
    private readonly clock: Clock,
    private readonly threatsService: ThreatsService,
    private readonly scans: SecurityScansService,
  ) {}

  @RpcHandler(IdentityRpc.securityMetrics)
  async metrics(@Payload() req: SecurityMetricsRequest): Promise<SecurityMetricsResponse> {
    await this.callers.requireAdmin(req.caller);
    return this.security.metrics(metricsRange(req, this.clock.now()));
  }

  @RpcHandler(IdentityRpc.securityThreats)
  async threats(@Payload() req: ListThreatsRequest): Promise<ThreatsResponse> {
    await this.callers.requireAdmin(req.caller);
    return this.threatsService.list(req.window_s ?? 86_400);
  }

  @RpcHandler(IdentityRpc.securityThreatAction)
  async threatAction(@Payload() req: ThreatActionRequest): Promise<SecurityBlockView> {
    await this.callers.requireAdmin(req.caller);
    return this.threatsService.act(req);
  }

  @RpcHandler(IdentityRpc.securityBlocksActive)
  activeBlocks(): Promise<ActiveBlocks> {
    return this.threatsService.active();
  }

  @RpcHandler(IdentityRpc.securityScanStart)
  async startScan(@Payload() req: StartSecurityScanRequest): Promise<SecurityScanView> {
    await this.callers.requireAdmin(req.caller);
    return this.scans.start(req.caller, req.gateway_findings);
  }

  @RpcHandler(IdentityRpc.securityScanGet)
  async scan(@Payload() req: SecurityScanRefRequest): Promise<SecurityScanView> {
    await this.callers.requireAdmin(req.caller);
    return this.scans.get(req.id);
  }

  @RpcHandler(IdentityRpc.securityScansList)
  async scansList(@Payload() req: ListSecurityScansRequest): Promise<ListResult<SecurityScanView>> {
    await this.callers.requireAdmin(req.caller);
    return this.scans.list(req);
  }

  @RpcHandler(IdentityRpc.securityReport)
  report(@Payload() req: SecurityReportRequest): Promise<{ recorded: number }> {
    return this.security.report(req);
  }
}

const MAX_RANGE_MS = 90 * 86_400_000;

/** `date_from`/`date_to`, else the `window_s` (default 24 h) ending now; at most 90 days, start before end. */
function metricsRange(req: SecurityMetricsRequest, now: Date): { start: Date; end: Date } {
  if (req.date_from === undefined) {
    if (req.date_to !== undefined) throw DomainException.validation([{ field: 'date_to', message: 'date_to needs date_from' }]);
    return { start: new Date(now.getTime() - (req.window_s ?? 86_400) * 1000), end: now };
  }
  const start = new Date(req.date_from);
  const end = req.date_to === undefined ? now : new Date(req.date_to);
  if (end.getTime() <= start.getTime()) throw DomainException.validation([{ field: 'date_to', message: 'date_to must be after date_from' }]);
  if (end.getTime() - start.getTime() > MAX_RANGE_MS) throw DomainException.validation([{ field: 'date_from', message: 'the range is at most 90 days' }]);
  return { start, end };
}
