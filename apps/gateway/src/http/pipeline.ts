import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { REQUEST_ID_HEADER } from '@saas/observability';
import type { GatewayConfig } from '../config.js';
import { registerGracefulClose } from './graceful-close.js';
import { ProblemFilter } from './problem.filter.js';
import { registerRequestContext } from './request-id.js';
import { registerRequestMetrics } from './request-metrics.js';
import { createValidationPipe } from './validation.pipe.js';

/** Response headers browsers may read on a cross-origin response. */
const EXPOSED_HEADERS = [REQUEST_ID_HEADER, 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after', 'location'];

/**
 * Everything every request goes through, before and around the controllers: request id and work
 * context, metrics, security headers, CORS, JSON-only bodies, validation and problem+json errors.
 */
export async function installHttpPipeline(app: NestFastifyApplication, config: GatewayConfig, logger: Logger): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // The API speaks JSON only; any other body is a 415 (Fastify also parses text/plain by default).
  fastify.removeContentTypeParser('text/plain');
  registerRequestContext(fastify);
  registerRequestMetrics(fastify, logger);
  registerGracefulClose(fastify);

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      // Tight for a JSON API; enough for the Swagger UI at /docs (own scripts, inline styles, data: images).
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
  });

  if (config.CORS_ORIGINS.length > 0) {
    app.enableCors({
      origin: config.CORS_ORIGINS.includes('*') ? '*' : config.CORS_ORIGINS,
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    });
  }

  app.useGlobalFilters(new ProblemFilter(logger, config.BODY_LIMIT_BYTES));
  app.useGlobalPipes(createValidationPipe());
}
