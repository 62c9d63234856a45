import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { metricsRegistry } from '@saas/observability';
import { Public } from '../auth/auth.decorators.js';

/**
 * Prometheus scrape endpoint (not part of the public API document). Public like /health, as on the
 * services' metrics listeners: operators keep it off the internet at the ingress/network level.
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('content-type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
