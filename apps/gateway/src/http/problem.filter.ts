import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyServerOptions } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { internalError, PROBLEM_CONTENT_TYPE, toProblem, type DomainException } from '@saas/errors';
import { REQUEST_ID_HEADER } from '@saas/observability';
import { toClientError } from './problem-mapping.js';

/**
 * The HTTP transport's one exception filter: every error — from a controller, a guard, a pipe, an
 * RPC, Fastify's body parsing or its not-found handler — leaves as application/problem+json with the
 * request id as `correlation_id`. Unexpected errors are logged with an error id; only the id leaves.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly bodyLimitBytes: number,
    /** Told of every problem sent (the security metrics count the 429s of the rate limits). */
    private readonly onProblem?: (request: FastifyRequest, error: DomainException) => void,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const path = request.url.split('?')[0] ?? request.url;

    let error = toClientError(exception, {
      unmatchedRoute: request.is404,
      method: request.method,
      path,
      bodyLimitBytes: this.bodyLimitBytes,
      contentType: request.headers['content-type'],
    });
    if (!error) {
      const internal = internalError();
      this.logger.error({ err: exception, error_id: internal.errorId, method: request.method, path, correlation_id: request.id }, 'unhandled error');
      error = internal.exception;
    }

    if (reply.sent || reply.raw.headersSent) {
      this.logger.warn({ err: exception, path, correlation_id: request.id }, 'error after the response was sent');
      return;
    }
    const problem = toProblem(error, { instance: path, correlationId: request.id });
    this.onProblem?.(request, error);
    // 429s (rate limits, ACCOUNT_LOCKED from identity) say when to come back in the header too.
    const retryAfter = error.extensions?.retry_after;
    // 503s of maintenance mode too.
    if ((error.status === 429 || error.status === 503) && typeof retryAfter === 'number') void reply.header('retry-after', Math.max(1, Math.ceil(retryAfter)));
    void reply
      .status(problem.status)
      .header(REQUEST_ID_HEADER, request.id)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problem));
  }
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route, hook or Nest filter runs (a
 * path with a bad percent-encoding, a path parameter over its length limit) answered as problem+json
 * too, instead of Fastify's own JSON (issue 16, found by the fuzz suite).
 */
export function frameworkErrorHandler(bodyLimitBytes: number): NonNullable<FastifyServerOptions['frameworkErrors']> {
  return (err, request, reply) => {
    const path = (request.raw.url ?? '').split('?')[0] ?? '';
    const error = toClientError(err, { unmatchedRoute: false, method: request.method, path, bodyLimitBytes, contentType: request.headers['content-type'] }) ?? internalError().exception;
    void (reply as unknown as FastifyReply)
      .status(error.status)
      .header(REQUEST_ID_HEADER, request.id)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(toProblem(error, { instance: path.slice(0, 200), correlationId: request.id })));
  };
}
