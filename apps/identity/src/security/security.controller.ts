import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IdentityRpc, SecurityMetricsRequest, type SecurityMetricsResponse } from '@saas/contracts';
import { CallerResolver } from '../common/caller.js';
import { SecurityEventsService } from './security-events.service.js';

@Controller()
export class SecurityController {
  constructor(
    private readonly security: SecurityEventsService,
    private readonly callers: CallerResolver,
  ) {}

  @MessagePattern(IdentityRpc.securityMetrics)
  async metrics(@Payload() req: SecurityMetricsRequest): Promise<SecurityMetricsResponse> {
    await this.callers.requireAdmin(req.caller);
    return this.security.metrics(req.window_s ?? 86_400);
  }
}
