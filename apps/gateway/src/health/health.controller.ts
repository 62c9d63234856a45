import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { HealthService } from './health.service.js';
import type { DetailedHealth, Readiness } from './health.types.js';

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health')
  @ApiOkResponse({ description: 'The gateway process is alive (checks no dependency).' })
  liveness() {
    return this.health.liveness();
  }

  @Get('ready')
  @ApiOkResponse({ description: 'Ready: NATS connected and the credential revocation list caught up.' })
  @ApiServiceUnavailableResponse({ description: 'Not ready (NATS away, or revocations not caught up: credentials are re-checked with identity meanwhile).' })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Readiness {
    const report = this.health.readiness();
    if (report.status !== 'ok') reply.status(503);
    return report;
  }

  /** Seed 003's alias, kept for clients written against it. */
  @Get('api/health')
  @ApiOkResponse({ description: 'Legacy liveness alias.' })
  legacy() {
    return { status: 'healthy', message: 'Control Plane API is running' };
  }

  @Get('health/detailed')
  @ApiOkResponse({ description: 'Every service, Postgres, NATS and JetStream are ok.' })
  @ApiServiceUnavailableResponse({ description: 'Something is degraded or down; the body says what.' })
  async detailed(@Res({ passthrough: true }) reply: FastifyReply): Promise<DetailedHealth> {
    const report = await this.health.detailed();
    if (report.status !== 'ok') reply.status(503);
    return report;
  }
}
