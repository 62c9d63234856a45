import type { FastifyInstance } from 'fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { GatewayAuthException } from './auth.exception.js';
import type { Principal } from './principal.js';

export const SESSION_ROUTE = '/api/v1/auth/session';

/** `GET /api/v1/auth/session`: the credential as the gateway verified it. */
export interface SessionView {
  authenticated_by: 'access_token' | 'api_key';
  user_id: string;
  email: string;
  roles: readonly string[];
  tier: string;
  tenant_id: string | null;
  session_id: string | null;
  api_key_id: string | null;
  email_verified: boolean | null;
  issued_at: string | null;
  expires_at: string | null;
}

/** Built once per principal (which is itself cached per credential): the hot path only looks it up. */
const views = new WeakMap<Principal, SessionView>();

export function sessionViewOf(p: Principal): SessionView {
  let view = views.get(p);
  if (!view) {
    const c = p.claims;
    view = Object.freeze({
      authenticated_by: p.kind === 'user' ? 'access_token' : 'api_key',
      user_id: p.userId,
      email: p.email,
      roles: p.roles,
      tier: p.planTier,
      tenant_id: p.tenantId,
      session_id: c?.sid ?? null,
      api_key_id: p.apiKeyId ?? null,
      email_verified: c?.email_verified ?? null,
      issued_at: c ? new Date(c.iat * 1000).toISOString() : null,
      expires_at: c ? new Date(c.exp * 1000).toISOString() : null,
    } satisfies SessionView);
    views.set(p, view);
  }
  return view;
}

/**
 * "Who am I according to this credential", answered by the gateway alone (no RPC). It is registered
 * on Fastify directly rather than as a Nest controller: it is the gateway's own endpoint, has nothing
 * to forward, and skipping Nest's per-request dispatch (guards, interceptors, response controller)
 * makes it the cheapest authenticated route — the one the throughput benchmark measures
 * (docs/benchmarks.md). It is authenticated like every other route: the request-auth hook verified
 * the credential and counted the request; without a principal it answers the same 401 as AuthGuard.
 */
export function registerSessionRoute(fastify: FastifyInstance): void {
  fastify.get(SESSION_ROUTE, (request, reply) => {
    const principal = request.principal;
    if (!principal) {
      const error = GatewayAuthException.unauthorized(request.authFailure);
      void reply.header('www-authenticate', error.challenge);
      throw error;
    }
    return sessionViewOf(principal);
  });
}

const nullable = (type: string, format?: string) => ({ type, ...(format ? { format } : {}), nullable: true });
const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

/** Its OpenAPI description (it is not a Nest route, so Swagger cannot see it). */
export function documentSessionRoute(document: OpenAPIObject): void {
  document.paths[SESSION_ROUTE] = {
    get: {
      operationId: 'auth.session.get',
      tags: ['auth'],
      summary: 'Who the gateway takes the caller to be, from the credential alone (no call to identity).',
      description:
        'The verified claims of the access token, or what identity said about the API key (cached up to 30 s). A token whose session was ended (logout, password change or reset, deactivation, deleted user, revoked key) is refused with 401; `GET /api/v1/auth/me` asks identity.',
      security: [{ bearer: [] }, { api_key: [] }],
      responses: {
        '200': {
          description: 'The credential as verified.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['authenticated_by', 'user_id', 'email', 'roles', 'tier'],
                properties: {
                  authenticated_by: { type: 'string', enum: ['access_token', 'api_key'] },
                  user_id: { type: 'string', format: 'uuid' },
                  email: { type: 'string' },
                  roles: { type: 'array', items: { type: 'string' } },
                  tier: { type: 'string', description: 'Plan tier (rate limits).' },
                  tenant_id: nullable('string', 'uuid'),
                  session_id: { ...nullable('string', 'uuid'), description: 'The access token’s `sid` (for logout).' },
                  api_key_id: nullable('string', 'uuid'),
                  email_verified: nullable('boolean'),
                  issued_at: nullable('string', 'date-time'),
                  expires_at: nullable('string', 'date-time'),
                },
              },
            },
          },
        },
        '401': { description: 'Unauthorized', content: problem },
        '429': { description: 'Too Many Requests', content: problem },
      },
    },
  };
}
