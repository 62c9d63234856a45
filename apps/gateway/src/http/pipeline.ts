import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { ErrorCodes } from '@saas/errors';
import { REQUEST_ID_HEADER } from '@saas/observability';
import { RequestAuthenticator } from '../auth/request-authenticator.js';
import { registerSessionRoute } from '../auth/session.route.js';
import type { GatewayConfig } from '../config.js';
import { registerMaintenanceGate } from '../maintenance/maintenance.hook.js';
import { MaintenanceStore } from '../maintenance/maintenance.store.js';
import { registerRequestLimits } from '../rate-limit/request-limits.hook.js';
import { RateLimitService } from '../rate-limit/rate-limit.service.js';
import { RateLimitRejectionReporter } from '../rate-limit/rejection-reporter.js';
import { TenantPlanCache } from '../rate-limit/tenant-plans.js';
import { registerAddressBlocks, registerKeyBlocks } from '../security/blocks.hook.js';
import { SecurityBlocks } from '../security/security-blocks.js';
import { registerGracefulClose } from './graceful-close.js';
import { ProblemFilter } from './problem.filter.js';
import { registerRequestContext } from './request-id.js';
import { registerRequestMetrics } from './request-metrics.js';
import { registerRequestShapeLimits } from './request-shape.js';
import { registerSecurityHeaders } from './security-headers.js';
import { createValidationPipe } from './validation.pipe.js';

/** Response headers browsers may read on a cross-origin response. */
const EXPOSED_HEADERS = [
  REQUEST_ID_HEADER,
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'x-ratelimit-scope',
  'ratelimit',
  'ratelimit-policy',
  'retry-after',
  'location',
  'www-authenticate',
  'idempotent-replayed',
];

/**
 * Everything every request goes through, before and around the controllers: request id and work
 * context, metrics, security headers, authentication and rate limits, CORS, JSON-only bodies,
 * validation and problem+json errors. (Authorization — public routes, roles — is the AuthGuard's.)
 */
export async function installHttpPipeline(app: NestFastifyApplication, config: GatewayConfig, logger: Logger): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // The API speaks JSON only; any other body is a 415 (Fastify also parses text/plain by default).
  fastify.removeContentTypeParser('text/plain');
  registerRequestContext(fastify);
  registerRequestMetrics(fastify, logger);
  registerGracefulClose(fastify);

  registerSecurityHeaders(fastify);
  // Before the limits: preflights are answered without counting, and a 429 still carries CORS headers.
  if (config.CORS_ORIGINS.length > 0) {
    app.enableCors({
      origin: config.CORS_ORIGINS.includes('*') ? '*' : config.CORS_ORIGINS,
      exposedHeaders: EXPOSED_HEADERS,
      allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'x-request-id', 'idempotency-key'],
      maxAge: 600,
    });
  }
  // Blocked addresses first (nothing of theirs is authenticated or counted), then who the caller is
  // and whether it is within its limits. Root-level plugins (not direct hooks) so that they are
  // loaded after the CORS plugin above, whose hook must run first.
  const blocks = app.get(SecurityBlocks);
  const limits = Object.assign(
    async (instance: typeof fastify) => {
      registerAddressBlocks(instance, blocks);
      registerRequestLimits(instance, app.get(RequestAuthenticator), app.get(RateLimitService), app.get(TenantPlanCache));
    },
    { [Symbol.for('skip-override')]: true },
  );
  await app.register(limits as never);
  // Then blocked API keys (known once authenticated), then maintenance mode.
  const gates = Object.assign(
    async (instance: typeof fastify) => {
      registerKeyBlocks(instance, blocks);
      registerMaintenanceGate(instance, app.get(MaintenanceStore));
    },
    { [Symbol.for('skip-override')]: true },
  );
  await app.register(gates as never);
  registerSessionRoute(fastify);
  registerRequestShapeLimits(fastify);

  const rejections = app.get(RateLimitRejectionReporter);
  app.useGlobalFilters(
    new ProblemFilter(logger, config.BODY_LIMIT_BYTES, (request, error) => {
      if (error.code === ErrorCodes.RATE_LIMIT_EXCEEDED) rejections.rejected(request);
    }),
  );
  app.useGlobalPipes(createValidationPipe());
}
