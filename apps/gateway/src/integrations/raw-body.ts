import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyRequest, preParsingHookHandler } from 'fastify';

/** Routes whose handlers need the body exactly as it was sent (signature checks). */
export const RAW_BODY_ROUTE_PREFIX = '/api/v1/integrations/webhooks/';

const rawChunks = new WeakMap<FastifyRequest, Buffer[]>();

/** The body bytes of a request on a raw-body route, as received (Fastify parsed the same bytes). */
export function rawBodyOf(request: FastifyRequest): string {
  return Buffer.concat(rawChunks.get(request) ?? []).toString('utf8');
}

/**
 * Keeps a copy of the body of the raw-body routes while Fastify's own JSON parser reads it: the
 * stream passes through a tap, so the body limit (413) and malformed JSON (400) are Fastify's as on
 * every route, and the handler gets both the parsed body and the exact bytes to verify a signature.
 * Registered as an `onRoute` hook before the routes exist (gateway.ts).
 */
export function registerRawBodyCapture(fastify: FastifyInstance): void {
  const tap: preParsingHookHandler = (request, _reply, payload, done) => {
    const chunks: Buffer[] = [];
    rawChunks.set(request, chunks);
    const copy = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback(null, chunk);
      },
    });
    payload.on('error', (err) => copy.destroy(err));
    done(null, payload.pipe(copy));
  };
  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith(RAW_BODY_ROUTE_PREFIX)) return;
    const existing = route.preParsing ? [route.preParsing].flat() : [];
    route.preParsing = [...existing, tap];
  });
}
