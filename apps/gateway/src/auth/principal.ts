import type { FastifyRequest } from 'fastify';
import { UserTiers, type AccessTokenClaims, type CallerDto, type ClientInfoDto } from '@saas/contracts';
import type { RateLimitTier } from '../config.js';

/**
 * Who a request's credential stands for, as the gateway verified it. Immutable and shared: the same
 * object is cached (per token or key hash) and hung on every request that presents that credential,
 * so the hot path allocates nothing for it.
 */
export interface Principal {
  readonly kind: 'user' | 'api_key';
  /** The acting user (the key's owner for an API key). */
  readonly userId: string;
  readonly roles: readonly string[];
  /** Rate-limit tier: `admin` for admins, else the user's plan tier. */
  readonly tier: RateLimitTier;
  /** Plan tier as identity states it (forwarded in the CallerDto). */
  readonly planTier: string;
  readonly tenantId: string | null;
  readonly email: string;
  /** When the gateway stops trusting it without asking again (token exp, or the key cache TTL). */
  readonly expiresAtMs: number;
  /** The verified claims of an access token. */
  readonly claims?: Readonly<AccessTokenClaims>;
  readonly apiKeyId?: string;
  readonly scopes?: readonly string[];
}

/** Why a presented credential was not accepted (the guard answers 401 with it on protected routes). */
export type AuthFailure = 'invalid_token' | 'expired_token' | 'invalid_api_key';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the request-auth hook when a credential verified. */
    principal: Principal | null;
    /** Set when a credential was presented but refused. */
    authFailure: AuthFailure | null;
  }
}

export function rateLimitTierOf(roles: readonly string[], planTier: string | undefined): RateLimitTier {
  if (roles.includes('admin')) return 'admin';
  return (UserTiers as readonly string[]).includes(planTier ?? '') ? (planTier as RateLimitTier) : 'standard';
}

function userAgentOf(request: FastifyRequest): string | null {
  const ua = request.headers['user-agent'];
  return typeof ua === 'string' && ua ? ua.slice(0, 500) : null;
}

/** What an anonymous route forwards as `client` (lockouts and the audit log use it). */
export function clientInfoOf(request: FastifyRequest): ClientInfoDto {
  return { ip: request.ip ?? null, user_agent: userAgentOf(request) };
}

/** The CallerDto a service authorizes from (libs/contracts/src/caller.ts). */
export function callerOf(principal: Principal, request: FastifyRequest): CallerDto {
  return {
    actor: { type: principal.kind, id: principal.userId, ip: request.ip ?? null, user_agent: userAgentOf(request) },
    roles: [...principal.roles],
    tier: principal.planTier,
    tenant_id: principal.tenantId,
  };
}
