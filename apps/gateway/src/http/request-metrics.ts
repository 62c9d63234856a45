import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { httpDuration } from '@saas/observability';

/**
 * Records every response in `saas_http_request_duration_seconds`, labelled by route pattern (never the
 * raw path: ids would explode the series) and logs one access line at debug.
 */
export function registerRequestMetrics(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, seconds);
    logger.debug(
      { method: request.method, url: request.url, route, status: reply.statusCode, duration_ms: Math.round(reply.elapsedTime), correlation_id: request.id },
      'request',
    );
    done();
  });
}
