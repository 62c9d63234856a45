import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { REQUEST_ID_HEADER, workContext } from '@saas/observability';

const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The client's X-Request-Id when it is safe to log and echo (1–128 of `[A-Za-z0-9._:-]`), else a new
 * UUID. It becomes Fastify's `request.id` and the correlation id of everything the request causes.
 */
export function requestIdFor(header: string | string[] | undefined): string {
  return typeof header === 'string' && ACCEPTABLE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** Fastify's `genReqId` option. */
export function genReqId(req: IncomingMessage): string {
  return requestIdFor(req.headers[REQUEST_ID_HEADER]);
}

/**
 * Echoes the request id on every response (404s and errors included) and runs the handler inside
 * the request's work context, so the RpcClient sends it as the correlation id.
 *
 * The context is entered in `preHandler`, the last hook before the route handler: Fastify calls the
 * handler synchronously from `done()`, so guards, pipes, the handler and the promises they create all
 * see it. Entering it earlier (onRequest) would be lost across body parsing, which resumes from the
 * socket's own async context.
 */
export function registerRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    workContext.run({ correlationId: request.id }, done);
  });
}
