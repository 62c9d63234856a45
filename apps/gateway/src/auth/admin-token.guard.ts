import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainException } from '@saas/errors';
import type { GatewayConfig } from '../config.js';
import { GATEWAY_CONFIG } from '../tokens.js';

export const ADMIN_ROUTE_PREFIX = '/api/v1/admin';

/** Compares digests, so neither the content nor the length of the token leaks through timing. */
export function tokenMatches(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Stopgap until the identity issue lands: every route under /api/v1/admin requires
 * `Authorization: Bearer <ADMIN_API_TOKEN>`. Without a configured token those routes answer 401 —
 * never open. Registered globally and matched on the route pattern, so a new admin controller is
 * covered without remembering a decorator. The identity issue replaces this guard with JWT roles.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'ADMIN_API_TOKEN'>) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const route = request.routeOptions.url ?? request.url;
    if (route !== ADMIN_ROUTE_PREFIX && !route.startsWith(`${ADMIN_ROUTE_PREFIX}/`)) return true;

    const expected = this.config.ADMIN_API_TOKEN;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (expected && match?.[1] && tokenMatches(match[1], expected)) return true;

    context.switchToHttp().getResponse<FastifyReply>().header('www-authenticate', 'Bearer realm="admin"');
    throw new DomainException(
      'UNAUTHORIZED',
      expected ? 'A valid admin bearer token is required.' : 'Admin endpoints are disabled: no admin token is configured.',
      { status: 401 },
    );
  }
}
