import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { HealthService } from './health.service.js';
import type { DetailedHealth, Readiness } from './health.types.js';
import { ApiResult } from '../http/api-result.js';
import { DetailedHealthDto, LegacyHealthDto, LivenessDto, ReadinessDto } from './health.views.js';

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health')
  @ApiOperation({ operationId: 'health.get', summary: 'Liveness of the gateway.' })
  @ApiResult(LivenessDto, { description: 'The gateway process is alive (checks no dependency).' })
  liveness(): LivenessDto {
    return this.health.liveness();
  }

  @Get('ready')
  @ApiResult(ReadinessDto, { description: 'Ready: NATS connected and the credential revocation list caught up.', alsoFor: [503] })
  @ApiServiceUnavailableResponse({ description: 'Not ready (NATS away, or revocations not caught up: credentials are re-checked with identity meanwhile).' })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Readiness {
    const report = this.health.readiness();
    if (report.status !== 'ok') reply.status(503);
    return report;
  }

  /**
   * Seed 003's health check, kept for clients written against it. It tells the truth: `healthy` (200)
   * only when every service, Postgres and NATS answer; otherwise 503 with what is wrong.
   */
  @Get('api/health')
  @ApiOperation({ operationId: 'health.legacy', summary: 'Platform health as seed 003 asks for it: healthy only when every part answers.' })
  @ApiResult(LegacyHealthDto, {
    description: '`{"status": "healthy", "message": "Control Plane API is running"}`: every part of the platform answers.',
    example: { status: 'healthy', message: 'Control Plane API is running' },
    alsoFor: [503],
  })
  @ApiServiceUnavailableResponse({ description: '`{"status": "unhealthy", …}` with the parts that are degraded or down.' })
  async legacy(@Res({ passthrough: true }) reply: FastifyReply): Promise<LegacyHealthDto> {
    const report = await this.health.detailed();
    if (report.status === 'ok') return { status: 'healthy', message: 'Control Plane API is running' };
    reply.status(503);
    return { status: 'unhealthy', message: `Control Plane API is ${report.status}`, problems: problemsOf(report) };
  }

  @Get('health/detailed')
  @ApiOperation({ operationId: 'health.detailed', summary: 'Health of every service, Postgres, NATS and JetStream.' })
  @ApiResult(DetailedHealthDto, { description: 'Every service, Postgres, NATS and JetStream are ok.', alsoFor: [503] })
  @ApiServiceUnavailableResponse({ description: 'Something is degraded or down; the body says what.' })
  async detailed(@Res({ passthrough: true }) reply: FastifyReply): Promise<DetailedHealth> {
    const report = await this.health.detailed();
    if (report.status !== 'ok') reply.status(503);
    return report;
  }
}

/** The parts of a detailed report that are not ok, named (`services.billing`, `postgres`, …). */
function problemsOf(report: DetailedHealth): string[] {
  const down = Object.entries(report.services)
    .filter(([, entry]) => entry.status !== 'ok')
    .map(([name]) => `services.${name}`);
  for (const part of ['postgres', 'nats', 'jetstream'] as const) if (report[part].status !== 'ok') down.push(part);
  return down;
}
