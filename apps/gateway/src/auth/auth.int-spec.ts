import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import { loadConfig } from '@saas/config';
import { SubjectNaming } from '@saas/messaging';
import { httpRequest, TestEnv, waitFor, type HttpResponse } from '@saas/testing';
import { ADMIN_ID, AUDIENCE, FakeIdentity, ISSUER, USER_ID } from '../../test/fake-identity.js';
import { gatewayConfigSchema } from '../config.js';
import { createGateway, routesOf } from '../gateway.js';
import { CredentialRevocations } from './revocations.js';

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Routes that answer without credentials — the whole list; a new public route must be added here on purpose. */
const EXPECTED_PUBLIC = [
  'GET /.well-known/jwks.json',
  'GET /api/health',
  'GET /api/v1/billing/plans',
  'GET /docs/openapi.json',
  'GET /health',
  'GET /health/detailed',
  'GET /metrics',
  'GET /ready',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/password/forgot',
  'POST /api/v1/auth/password/reset',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/resend-verification',
  'POST /api/v1/auth/verify-email',
  'POST /api/v1/integrations/webhooks/:provider',
];

describe('gateway authentication (in-process, fake identity over real NATS)', () => {
  let env: TestEnv;
  let app: NestFastifyApplication;
  let baseUrl: string;
  const identity = new FakeIdentity();

  const get = (url: string, headers: Record<string, string> = {}) => httpRequest(baseUrl, { method: 'GET', url, headers });
  const session = (token: string) => get('/api/v1/auth/session', { authorization: `Bearer ${token}` });

  function expect401(res: HttpResponse): void {
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="api"/);
  }

  beforeAll(async () => {
    env = await TestEnv.create('gw_auth');
    await identity.serve(await env.nats(), new SubjectNaming(env.prefix));
    const config = loadConfig('gateway', gatewayConfigSchema, env.env({ RATE_LIMITS: 'anonymous:1000000,standard:1000000,admin:1000000', RPC_TIMEOUT_MS: '500', JWKS_MIN_REFETCH_S: '2' }));
    app = await createGateway(config, { logger: pino({ level: 'silent' }), swaggerUi: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    // Until its revocation readers have caught up the gateway asks identity about every credential.
    await waitFor(() => app.get(CredentialRevocations).trusted(), 'the revocation list to be trusted', 15_000);
  });

  afterAll(async () => {
    identity.stop();
    await app?.close();
    await env?.cleanup();
  }, 30_000);

  it('answers every route that is not public with 401 problem+json without credentials, and the public ones are exactly the expected set', async () => {
    const routes = routesOf(app).filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
    expect(routes.length).toBeGreaterThan(25);
    const open: string[] = [];
    for (const route of routes) {
      const url = route.url.replace(/:[A-Za-z_]+/g, '5b8f1d2e-0c3a-4e59-9a77-1c2d3e4f5a6b').replace(/\*$/, 'x');
      const res = await httpRequest(baseUrl, { method: route.method, url });
      if (res.statusCode === 401) expect401(res);
      else open.push(`${route.method} ${route.url}`);
      // A credential that does not verify changes nothing on a protected route.
      if (res.statusCode === 401) expect401(await httpRequest(baseUrl, { method: route.method, url, headers: { authorization: 'Bearer not-a-token' } }));
    }
    expect(open.sort()).toEqual(EXPECTED_PUBLIC);
  });

  it('accepts an access token as identity signs it and says what it verified', async () => {
    const res = await session(await identity.token({ tier: 'premium' }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ authenticated_by: 'access_token', user_id: USER_ID, roles: ['user'], tier: 'premium', email: 'someone@example.com' });
    expect(res.headers['ratelimit-policy']).toMatch(/^"premium";q=5000;w=3600, "premium-burst";q=\d+;w=60$/);
  });

  describe('refuses forged and misused tokens with 401', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const claims = () => ({ iss: ISSUER, aud: AUDIENCE, sub: USER_ID, typ: 'access', roles: ['admin'], email: 'x@example.com', tier: 'standard', iat: now(), exp: now() + 600, jti: randomUUID(), sid: randomUUID() });

    it('alg: none', async () => {
      expect401(await session(`${b64url({ alg: 'none', typ: 'at+jwt', kid: identity.kid })}.${b64url(claims())}.`));
      expect401(await session(`${b64url({ alg: 'none', typ: 'at+jwt', kid: identity.kid })}.${b64url(claims())}`));
    });

    it('HS256 signed with the public key as the secret', async () => {
      const pem = identity.publicKey.export({ format: 'pem', type: 'spki' });
      const signingInput = `${b64url({ alg: 'HS256', typ: 'at+jwt', kid: identity.kid })}.${b64url(claims())}`;
      const forged = `${signingInput}.${createHmac('sha256', pem).update(signingInput).digest('base64url')}`;
      expect401(await session(forged));
    });

    it('RS512 or any algorithm but the pinned one, even with the right key', async () => {
      expect401(await session(await identity.token({ header: { alg: 'RS512' } })));
    });

    it('an expired token (beyond the clock tolerance), but not one just within it', async () => {
      const expired = await session(await identity.token({ claims: { iat: now() - 1000, exp: now() - 61 } }));
      expect401(expired);
      expect(expired.json().detail).toMatch(/expired/);
      expect((await session(await identity.token({ claims: { iat: now() - 1000, exp: now() - 5 } }))).statusCode).toBe(200);
    });

    it('another audience or another issuer', async () => {
      expect401(await session(await identity.token({ claims: { aud: 'another-api' } })));
      expect401(await session(await identity.token({ claims: { iss: 'https://evil.example' } })));
    });

    it('a tampered payload that keeps the signature', async () => {
      const [header, payload, signature] = (await identity.token()).split('.');
      const tampered = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), roles: ['admin'], sub: ADMIN_ID };
      expect401(await session(`${header}.${b64url(tampered)}.${signature}`));
    });

    it('a refresh token, an API key or garbage as the bearer', async () => {
      expect401(await session(`rt_${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '')}`));
      expect401(await session(`sk_abcdefgh_${'A'.repeat(43)}`));
      expect401(await session('a.b.c'));
      expect401(await get('/api/v1/auth/session', { authorization: `Basic ${b64url('admin:admin')}` }));
    });

    it('a token of another type: JOSE typ JWT, claim typ refresh, or without exp', async () => {
      expect401(await session(await identity.token({ header: { typ: 'JWT' } })));
      expect401(await session(await identity.token({ claims: { typ: 'refresh' } })));
      const noExp = `${b64url({ alg: 'RS256', typ: 'at+jwt', kid: identity.kid })}.${b64url({ ...claims(), exp: undefined })}`;
      const { createSign } = await import('node:crypto');
      expect401(await session(`${noExp}.${createSign('RSA-SHA256').update(noExp).sign(identity.privateKey).toString('base64url')}`));
    });

    it('a token signed by a key identity never published', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      expect401(await session(await identity.token({ key: privateKey })));
      expect401(await session(await identity.token({ key: privateKey, kid: 'made-up-kid' })));
    });
  });

  it('refetches the JWKS for an unknown kid (a rotation), but at most once per JWKS_MIN_REFETCH_S', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = `rotated-${randomUUID().slice(0, 8)}`;
    identity.extraKeys.push({ kid, publicKey });
    await new Promise((r) => setTimeout(r, 2_100)); // past JWKS_MIN_REFETCH_S since the last fetch
    const before = identity.jwksCalls;
    expect((await session(await identity.token({ key: privateKey, kid }))).statusCode).toBe(200);
    expect(identity.jwksCalls).toBe(before + 1);
    // Made-up kids right after: no further fetch within the interval.
    for (let i = 0; i < 5; i++) expect401(await session(await identity.token({ key: privateKey, kid: `nope-${i}` })));
    expect(identity.jwksCalls).toBe(before + 1);
  });

  describe('API keys', () => {
    const key = `sk_a1b2c3d4_${'k'.repeat(43)}`;
    beforeAll(() => {
      identity.apiKeys.set(key, { api_key_id: randomUUID(), user_id: USER_ID, email: 'someone@example.com', roles: ['user'], tier: 'enterprise', tenant_id: null, scopes: [] });
    });

    it('are accepted as a bearer and as X-API-Key, verified by identity once and then cached', async () => {
      const before = identity.apiKeyCalls;
      const bearer = await get('/api/v1/auth/session', { authorization: `Bearer ${key}` });
      expect(bearer.statusCode).toBe(200);
      expect(bearer.json()).toMatchObject({ authenticated_by: 'api_key', user_id: USER_ID, tier: 'enterprise' });
      expect(bearer.headers['ratelimit-policy']).toMatch(/^"enterprise"/);
      const header = await get('/api/v1/auth/session', { 'x-api-key': key });
      expect(header.statusCode).toBe(200);
      expect(identity.apiKeyCalls).toBe(before + 1);
    });

    it('refuses an unknown or malformed key with 401', async () => {
      expect401(await get('/api/v1/auth/session', { 'x-api-key': `sk_zzzzzzzz_${'z'.repeat(43)}` }));
      expect401(await get('/api/v1/auth/session', { 'x-api-key': 'sk_short' }));
    });
  });

  it('fails closed while its revocation list cannot be trusted: cached keys and valid signatures are re-checked with identity', async () => {
    const key = `sk_e5f6a7b8_${'c'.repeat(43)}`;
    identity.apiKeys.set(key, { api_key_id: randomUUID(), user_id: USER_ID, email: 'someone@example.com', roles: ['user'], tier: 'standard', tenant_id: null, scopes: [] });
    const sid = randomUUID();
    const token = await identity.token({ claims: { sid } });
    expect((await get('/api/v1/auth/session', { 'x-api-key': key })).statusCode).toBe(200);
    expect((await session(token)).statusCode).toBe(200);
    // Ended while this gateway could not read them (no event ever arrives here).
    identity.apiKeys.delete(key);
    identity.endedSessions.add(sid);
    // Trusted: the cache and the signature decide (the events would have said otherwise).
    expect((await get('/api/v1/auth/session', { 'x-api-key': key })).statusCode).toBe(200);
    expect((await session(token)).statusCode).toBe(200);

    const revocations = app.get(CredentialRevocations);
    const untrusted = jest.spyOn(revocations, 'trusted').mockReturnValue(false);
    try {
      const calls = { keys: identity.apiKeyCalls, sessions: identity.sessionChecks };
      expect401(await get('/api/v1/auth/session', { 'x-api-key': key }));
      expect401(await session(token));
      expect(identity.apiKeyCalls).toBe(calls.keys + 1);
      expect(identity.sessionChecks).toBe(calls.sessions + 1);
      // A live session still works, asked about each time.
      expect((await session(await identity.token())).statusCode).toBe(200);
      expect(identity.sessionChecks).toBe(calls.sessions + 2);
      // And identity not answering is a 503/504, never a pass.
      identity.stop();
      const res = await session(await identity.token());
      expect([503, 504]).toContain(res.statusCode);
    } finally {
      untrusted.mockRestore();
      await identity.serve(await env.nats(), new SubjectNaming(env.prefix));
    }
  });

  it('lets admins, and only admins, into @Roles("admin") routes', async () => {
    const asUser = await get('/api/v1/admin/users', { authorization: `Bearer ${await identity.token()}` });
    expect(asUser.statusCode).toBe(403);
    expect(asUser.json()).toMatchObject({ code: 'FORBIDDEN' });
    const asAdmin = await get('/api/v1/admin/users', { authorization: `Bearer ${await identity.adminToken()}` });
    expect(asAdmin.statusCode).toBe(503); // past the guard; identity's users RPC is not served here
    expect((await get('/api/v1/security/metrics', { authorization: `Bearer ${await identity.token()}` })).statusCode).toBe(403);
  });

  it('ignores a bad credential on a public route (a client refreshing with its expired access token)', async () => {
    const res = await httpRequest(baseUrl, { method: 'POST', url: '/api/v1/auth/refresh', headers: { authorization: 'Bearer expired.or.bad' }, payload: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'refresh_token' })]));
  });

  it('publishes the JWKS with a Cache-Control header', async () => {
    const res = await get('/.well-known/jwks.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
    expect(res.json().keys.map((k: { kid: string }) => k.kid)).toContain(identity.kid);
  });

  it('documents auth/session and both credentials in OpenAPI', async () => {
    const doc = (await get('/docs/openapi.json')).json();
    expect(doc.paths['/api/v1/auth/session'].get.responses['200']).toBeDefined();
    expect(doc.components.securitySchemes).toMatchObject({ bearer: { scheme: 'bearer' }, api_key: { in: 'header', name: 'X-API-Key' } });
    expect(doc.paths['/api/v1/auth/register'].post.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
    expect(doc.paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema.$ref).toMatch(/LoginBody/);
  });
});
