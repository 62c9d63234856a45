import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { HealthService } from './health.service.js';
import type { DetailedHealth } from './health.types.js';

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health')
  @ApiOperation({ operationId: 'health.get', summary: 'Liveness of the gateway.' })
  @ApiOkResponse({ description: 'The gateway process is alive (checks no dependency).' })
  liveness() {
    return this.health.liveness();
  }

  /** Seed 003's alias, kept for clients written against it. */
  @Get('api/health')
  @ApiOperation({ operationId: 'health.legacy', summary: 'Liveness (seed 003 alias).' })
  @ApiOkResponse({ description: 'Legacy liveness alias.' })
  legacy() {
    return { status: 'healthy', message: 'Control Plane API is running' };
  }

  @Get('health/detailed')
  @ApiOperation({ operationId: 'health.detailed', summary: 'Health of every service, Postgres, NATS and JetStream.' })
  @ApiOkResponse({ description: 'Every service, Postgres, NATS and JetStream are ok.' })
  @ApiServiceUnavailableResponse({ description: 'Something is degraded or down; the body says what.' })
  async detailed(@Res({ passthrough: true }) reply: FastifyReply): Promise<DetailedHealth> {
    const report = await this.health.detailed();
    if (report.status !== 'ok') reply.status(503);
    return report;
  }
}
