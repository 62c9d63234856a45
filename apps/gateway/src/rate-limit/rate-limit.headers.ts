import type { FastifyReply } from 'fastify';
import { DomainException } from '@saas/errors';
import type { RateDecision } from './rate-limit.service.js';

/**
 * Announces a decision on the response: the de-facto `X-RateLimit-*` trio (Reset in epoch seconds)
 * and the IETF fields of draft-ietf-httpapi-ratelimit-headers-10 (RFC 8941 structured fields):
 * `RateLimit-Policy: "standard";q=1000;w=3600, "standard-burst";q=200;w=60` and
 * `RateLimit: "standard";r=998;t=3412` — naming the policy that is closest to refusing (the burst
 * policy once it refuses). Over the limit also `Retry-After`.
 */
export function writeRateLimitHeaders(reply: FastifyReply, decision: RateDecision): void {
  const { policy, remaining, resetS } = decision;
  reply.header('x-ratelimit-limit', policy.limit);
  reply.header('x-ratelimit-remaining', remaining);
  reply.header('x-ratelimit-reset', Math.ceil(Date.now() / 1000) + resetS);
  reply.header('ratelimit-policy', decision.policyHeader);
  reply.header('ratelimit', `"${policy.name}";r=${remaining};t=${resetS}`);
  if (!decision.allowed) reply.header('retry-after', Math.max(1, resetS));
}

/** 429 RATE_LIMIT_EXCEEDED; `retry_after` (seconds) is also sent as the Retry-After header. */
export class RateLimitException extends DomainException {
  static exceeded(decision: RateDecision, what = 'requests'): RateLimitException {
    const retryAfter = Math.max(1, decision.resetS);
    return new RateLimitException('RATE_LIMIT_EXCEEDED', `Too many ${what}: the limit is ${decision.policy.limit} per ${decision.policy.windowS} s. Retry in ${retryAfter} s.`, {
      status: 429,
      extensions: { retry_after: retryAfter, policy: decision.policy.name },
    });
  }
}
