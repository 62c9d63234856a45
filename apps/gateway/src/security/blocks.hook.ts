import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainException, ErrorCodes } from '@saas/errors';
import { isInfraRoute } from '../rate-limit/request-limits.hook.js';
import type { SecurityBlocks } from './security-blocks.js';

export class BlockedException extends DomainException {
  static blocked(): BlockedException {
    return new BlockedException(ErrorCodes.ACCESS_BLOCKED, 'Requests from this address or with this API key are blocked by the platform operator.', { status: 403 });
  }
}

/**
 * Refuses requests from a blocked IP or CIDR (403 ACCESS_BLOCKED) before they are authenticated or
 * counted; health and metrics stay reachable for probes.
 */
export function registerAddressBlocks(fastify: FastifyInstance, blocks: SecurityBlocks): void {
  fastify.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    const route = request.routeOptions.url;
    if (route !== undefined && isInfraRoute(route)) return done();
    done(blocks.blocksAddress(request.ip) ? BlockedException.blocked() : undefined);
  });
}

/** Refuses requests made with a blocked API key (after authentication, when the key is known). */
export function registerKeyBlocks(fastify: FastifyInstance, blocks: SecurityBlocks): void {
  fastify.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    const keyId = request.principal?.apiKeyId;
    done(keyId && blocks.blocksApiKey(keyId) ? BlockedException.blocked() : undefined);
  });
}
