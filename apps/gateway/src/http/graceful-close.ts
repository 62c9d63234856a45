import type { FastifyInstance } from 'fastify';
import { DomainException } from '@saas/errors';

/**
 * Shutdown without dropping work: requests in flight are answered, then their connections close.
 * Fastify closes the idle keep-alive connections when it starts closing, but a connection busy at that
 * moment would stay open after its response until the client's keep-alive ends, so responses sent
 * while closing say `Connection: close`. A request that still arrives on such a connection gets a
 * 503 problem (Fastify's own `return503OnClosing` answer is not problem+json, so it is turned off).
 */
export function registerGracefulClose(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', (_request, _reply, done) => {
    if (!closing) return done();
    done(new DomainException('SERVICE_UNAVAILABLE', 'The gateway is shutting down; retry the request.', { status: 503 }));
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}
