import { describe, expect, it } from '@jest/globals';
import type { FastifyReply } from 'fastify';
import { RateLimitException, writeRateLimitHeaders } from './rate-limit.headers.js';
import { isInfraRoute } from './request-limits.hook.js';
import { policyItem, type RateDecision } from './rate-limit.service.js';

function fakeReply() {
  const headers: Record<string, string> = {};
  const reply = { header: (k: string, v: unknown) => ((headers[k] = String(v)), reply) } as unknown as FastifyReply;
  return { reply, headers };
}

const decision = (allowed: boolean, remaining: number, resetS: number): RateDecision => ({
  allowed,
  policy: { name: 'standard', limit: 1000, windowS: 3600 },
  remaining,
  resetS,
  policyHeader: '"standard";q=1000;w=3600, "standard-burst";q=200;w=60',
});

describe('rate-limit headers', () => {
  it('writes the X-RateLimit trio and the draft-10 structured fields', () => {
    const { reply, headers } = fakeReply();
    const now = Math.ceil(Date.now() / 1000);
    writeRateLimitHeaders(reply, decision(true, 998, 3412));
    expect(headers).toMatchObject({
      'x-ratelimit-limit': '1000',
      'x-ratelimit-remaining': '998',
      ratelimit: '"standard";r=998;t=3412',
      'ratelimit-policy': '"standard";q=1000;w=3600, "standard-burst";q=200;w=60',
    });
    expect(Number(headers['x-ratelimit-reset']) - now).toBeGreaterThanOrEqual(3411);
    expect(headers['retry-after']).toBeUndefined();
  });

  it('adds Retry-After (at least 1 s) when refused, and the 429 carries retry_after', () => {
    const { reply, headers } = fakeReply();
    writeRateLimitHeaders(reply, decision(false, 0, 0));
    expect(headers['retry-after']).toBe('1');
    const ex = RateLimitException.exceeded(decision(false, 0, 42));
    expect(ex).toMatchObject({ status: 429, code: 'RATE_LIMIT_EXCEEDED', extensions: { retry_after: 42, policy: 'standard' } });
  });

  it('formats a policy as an RFC 8941 item', () => {
    expect(policyItem({ name: 'login', limit: 10, windowS: 900 })).toBe('"login";q=10;w=900');
  });

  it('treats health, metrics and docs as infra routes, nothing else', () => {
    expect(['/health', '/health/detailed', '/api/health', '/metrics', '/docs', '/docs/openapi.json'].every(isInfraRoute)).toBe(true);
    expect(['/api/v1/health-report', '/healthz', '/api/v1/auth/session', '/docsx'].some(isInfraRoute)).toBe(false);
  });
});
