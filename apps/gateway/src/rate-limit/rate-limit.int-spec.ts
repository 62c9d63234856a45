import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '@saas/config';
import { SubjectNaming } from '@saas/messaging';
import { httpRequest, TestEnv, type HttpResponse } from '@saas/testing';
import { FakeIdentity } from '../../test/fake-identity.js';
import { gatewayConfigSchema, type GatewayConfig } from '../config.js';
import { createGateway } from '../gateway.js';
import { RateLimitService } from './rate-limit.service.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const silent = pino({ level: 'silent' });
const USER_A = '00000000-0000-4000-8000-00000000000a';
const USER_B = '00000000-0000-4000-8000-00000000000c';

function settings(extra: Record<string, string> = {}): GatewayConfig {
  return loadConfig('gateway', gatewayConfigSchema, { SUBJECT_PREFIX: `t_rl_${randomBytes(4).toString('hex')}.`, ...extra });
}

function expectHeaders(res: HttpResponse, limit: number, remaining: number): void {
  expect(res.headers['x-ratelimit-limit']).toBe(String(limit));
  expect(res.headers['x-ratelimit-remaining']).toBe(String(remaining));
  const reset = Number(res.headers['x-ratelimit-reset']);
  expect(reset).toBeGreaterThan(Date.now() / 1000);
  expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 3_601);
  expect(res.headers['ratelimit-policy']).toMatch(/^"[a-z]+";q=\d+;w=\d+, "[a-z]+-burst";q=\d+;w=\d+$/);
  expect(res.headers.ratelimit).toMatch(new RegExp(`^"[a-z-]+";r=${remaining};t=\\d+$`));
}

describe('RateLimitService', () => {
  it('refuses past the burst allowance before the window quota, naming the burst policy', async () => {
    const limits = new RateLimitService(settings({ RATE_LIMITS: 'standard:10', RATE_LIMIT_BURST_RATIO: '0.3', RATE_LIMIT_BURST_WINDOW_S: '60' }), silent);
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limits.consume('standard', USER_A));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[2]).toMatchObject({ policy: { name: 'standard', limit: 10, windowS: 3600 }, remaining: 7 });
    expect(decisions[3]).toMatchObject({ policy: { name: 'standard-burst', limit: 3, windowS: 60 }, remaining: 0 });
    expect(decisions[3]!.resetS).toBeGreaterThan(0);
    expect(decisions[3]!.resetS).toBeLessThanOrEqual(60);
    expect(decisions[0]!.policyHeader).toBe('"standard";q=10;w=3600, "standard-burst";q=3;w=60');
    // Another caller is not affected.
    expect((await limits.consume('standard', USER_B)).allowed).toBe(true);
  });

  it('keeps per-account limits apart from the tiers', async () => {
    const limits = new RateLimitService(settings({ LOGIN_RATE_LIMIT: '2/900' }), silent);
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await limits.consumeAccount('login', 'ada@example.com|203.0.113.1')).allowed);
    expect(outcomes).toEqual([true, true, false]);
    expect((await limits.consumeAccount('login', 'ada@example.com|198.51.100.7')).allowed).toBe(true);
    expect((await limits.consume('anonymous', '203.0.113.1')).allowed).toBe(true);
  });

  describe('in Redis (REDIS_URL)', () => {
    const opened: RateLimitService[] = [];
    const open = async (config: GatewayConfig) => {
      const s = new RateLimitService(config, silent);
      opened.push(s);
      await s.ready(2_000);
      return s;
    };
    afterAll(async () => {
      for (const s of opened) await s.onApplicationShutdown();
    });

    it('shares the counts between replicas, under the SUBJECT_PREFIX', async () => {
      const config = settings({ REDIS_URL, RATE_LIMITS: 'premium:3', RATE_LIMIT_BURST_RATIO: '1' });
      const [a, b] = [await open(config), await open(config)];
      expect(a.store).toBe('redis');
      const seen = [await a.consume('premium', USER_A), await b.consume('premium', USER_A), await a.consume('premium', USER_A), await b.consume('premium', USER_A)];
      expect(seen.map((d) => [d.allowed, d.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
      ]);
      const redis = new Redis(REDIS_URL);
      try {
        const keys = await redis.keys(`${config.SUBJECT_PREFIX}ratelimit:*`);
        expect(keys.sort()).toEqual([`${config.SUBJECT_PREFIX}ratelimit:premium-burst:${USER_A}`, `${config.SUBJECT_PREFIX}ratelimit:premium:${USER_A}`]);
        await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
      // Another platform (prefix) on the same Redis counts on its own.
      const other = await open(settings({ REDIS_URL, RATE_LIMITS: 'premium:3', RATE_LIMIT_BURST_RATIO: '1' }));
      expect((await other.consume('premium', USER_A)).remaining).toBe(2);
    });

    it('keeps limiting in memory while Redis is unreachable', async () => {
      const limits = await open(settings({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMITS: 'standard:2', RATE_LIMIT_BURST_RATIO: '1' }));
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push((await limits.consume('standard', USER_A)).allowed);
      expect(seen).toEqual([true, true, false]);
    });
  });
});

describe('rate limits at the gateway (in-process, real NATS and Redis)', () => {
  let env: TestEnv;
  const apps: NestFastifyApplication[] = [];
  const urls: string[] = [];
  const identity = new FakeIdentity();

  const send = (url: string, path: string, headers: Record<string, string> = {}, method = 'GET') => httpRequest(url, { method, url: path, headers });

  beforeAll(async () => {
    env = await TestEnv.create('gw_ratelimit');
    await identity.serve(await env.nats(), new SubjectNaming(env.prefix));
    // Two replicas sharing their counters in Redis; anonymous callers told apart by X-Forwarded-For.
    const config = loadConfig(
      'gateway',
      gatewayConfigSchema,
      env.env({ REDIS_URL, TRUST_PROXY: 'true', RATE_LIMITS: 'anonymous:5,standard:4,premium:50,infra:1000', RATE_LIMIT_BURST_RATIO: '1' }),
    );
    for (let i = 0; i < 2; i++) {
      const app = await createGateway(config, { logger: silent, swaggerUi: false });
      await app.listen({ port: 0, host: '127.0.0.1' });
      apps.push(app);
      urls.push(`http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
    }
  });

  afterAll(async () => {
    identity.stop();
    for (const app of apps) await app.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${env.prefix}ratelimit:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await env?.cleanup();
  }, 30_000);

  it('announces the limit on every response — success, 401, 404 and 400 alike — counted across both replicas', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.50' };
    const responses = [
      await send(urls[0]!, '/api/v1/auth/me', ip), // 401
      await send(urls[1]!, '/api/v1/nothing-here', ip), // 404
      await send(urls[0]!, '/.well-known/jwks.json', ip), // 200
      await httpRequest(urls[1]!, { method: 'POST', url: '/api/v1/auth/login', headers: ip, payload: { email: 'not-an-email', password: 'x' } }), // 400
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([401, 404, 200, 400]);
    responses.forEach((r, i) => expectHeaders(r, 5, 4 - i));
  });

  it('answers 429 problem+json with Retry-After past the limit; another IP is not affected', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.51' };
    for (let i = 0; i < 5; i++) expect((await send(urls[i % 2]!, '/.well-known/jwks.json', ip)).statusCode).toBe(200);
    const refused = await send(urls[0]!, '/.well-known/jwks.json', ip);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ status: 429, code: 'RATE_LIMIT_EXCEEDED', retry_after: expect.any(Number) });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expectHeaders(refused, 5, 0);
    expect(refused.headers['x-request-id']).toBeDefined();
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
    expect((await send(urls[1]!, '/.well-known/jwks.json', { 'x-forwarded-for': '203.0.113.52' })).statusCode).toBe(200);
  });

  it('keys signed-in callers by user and tier: a noisy user is refused, another user and the same IP are not', async () => {
    const noisy = { authorization: `Bearer ${await identity.token({ sub: '00000000-0000-4000-8000-0000000000e1' })}`, 'x-forwarded-for': '203.0.113.60' };
    const quiet = { authorization: `Bearer ${await identity.token({ sub: '00000000-0000-4000-8000-0000000000e2', tier: 'premium' })}`, 'x-forwarded-for': '203.0.113.60' };
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await send(urls[i % 2]!, '/api/v1/auth/session', noisy)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const other = await send(urls[0]!, '/api/v1/auth/session', quiet);
    expect(other.statusCode).toBe(200);
    expectHeaders(other, 50, 49);
    expect((await send(urls[1]!, '/.well-known/jwks.json', { 'x-forwarded-for': '203.0.113.60' })).statusCode).toBe(200);
  });

  it('keeps health, metrics and docs out of the caller’s quota (their own generous per-IP limit)', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.70' };
    for (let i = 0; i < 8; i++) expect((await send(urls[0]!, '/health', ip)).statusCode).toBe(200);
    const health = await send(urls[0]!, '/health', ip);
    expect(health.headers['ratelimit-policy']).toMatch(/^"infra";q=1000;/);
    expect((await send(urls[0]!, '/.well-known/jwks.json', ip)).headers['x-ratelimit-remaining']).toBe('4');
  });

  it('limits sign-in attempts per account on top of the tier, before identity is asked', async () => {
    // A dedicated gateway with a small per-account limit (the shared ones above keep the default).
    const config = loadConfig('gateway', gatewayConfigSchema, env.env({ TRUST_PROXY: 'true', LOGIN_RATE_LIMIT: '3/900', RATE_LIMITS: 'anonymous:1000' }));
    const gw = await createGateway(config, { logger: silent, swaggerUi: false });
    try {
      await gw.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(gw.getHttpServer().address() as AddressInfo).port}`;
      const attempt = (email: string, ip: string) =>
        httpRequest(url, { method: 'POST', url: '/api/v1/auth/login', headers: { 'x-forwarded-for': ip }, payload: { email, password: 'wrong-password-123' } });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await attempt('Victim@Example.COM', '203.0.113.80')).statusCode);
      // identity is not running here: allowed attempts reach the RPC (503); the fourth is refused first.
      expect(statuses).toEqual([503, 503, 503, 429]);
      const refused = await attempt('victim@example.com', '203.0.113.80');
      expect(refused.json()).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', policy: 'login' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // The same account from another network, and another account from this one, still get through.
      expect((await attempt('victim@example.com', '198.51.100.9')).statusCode).toBe(503);
      expect((await attempt('someone.else@example.com', '203.0.113.80')).statusCode).toBe(503);
    } finally {
      await gw.close();
    }
  });
});
