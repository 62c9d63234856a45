import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Subscription } from '@nats-io/transport-node';
import { pino } from 'pino';
import { TenantsRpc } from '@saas/contracts';
import { loadConfig } from '@saas/config';
import { SubjectNaming } from '@saas/messaging';
import { httpRequest, TestEnv, waitFor } from '@saas/testing';
import { FakeIdentity, reply } from '../../test/fake-identity.js';
import { CredentialRevocations } from '../auth/revocations.js';
import { gatewayConfigSchema } from '../config.js';
import { createGateway } from '../gateway.js';

const TENANT_A = '0f1c1e52-6f1f-4e0b-9a43-0b8c58f2a1a1';
const TENANT_B = '1f1c1e52-6f1f-4e0b-9a43-0b8c58f2a1a2';
const USER_1 = '00000000-0000-4000-8000-0000000000a1';
const USER_2 = '00000000-0000-4000-8000-0000000000a2';

/**
 * Seed 002's per-tenant quota: on tenant-scoped routes all of a tenant's users together stay within
 * the quota of the tenant's plan (from the tenants service), on top of each user's own tier; the
 * headers say which limit they describe.
 */
describe('per-tenant rate limits (in-process gateway, real NATS)', () => {
  let env: TestEnv;
  let app: NestFastifyApplication;
  let url: string;
  let planLookups = 0;
  const subs: Subscription[] = [];
  const identity = new FakeIdentity();

  beforeAll(async () => {
    env = await TestEnv.create('gw_tenant_quota');
    const nc = await env.nats();
    const naming = new SubjectNaming(env.prefix);
    await identity.serve(nc, naming);
    subs.push(
      nc.subscribe(naming.subject(TenantsRpc.plans), {
        callback: (_err, msg) => {
          planLookups++;
          const ids = msg.json<{ data: { ids: string[] } }>().data.ids;
          reply(msg, { response: { plans: Object.fromEntries(ids.filter((id) => id === TENANT_A || id === TENANT_B).map((id) => [id, id === TENANT_A ? 'standard' : 'premium'])) } });
        },
      }),
    );
    await nc.flush();
    const config = loadConfig('gateway', gatewayConfigSchema, env.env({ RATE_LIMITS: 'standard:1000', RATE_LIMIT_BURST_RATIO: '1', TENANT_RATE_LIMITS: 'standard:3,premium:100', RPC_TIMEOUT_MS: '300' }));
    app = await createGateway(config, { logger: pino({ level: 'silent' }), swaggerUi: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    await waitFor(() => app.get(CredentialRevocations).trusted(), 'the revocation list to be trusted', 15_000);
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    identity.stop();
    for (const s of subs) s.unsubscribe();
    await app?.close();
    await env?.cleanup();
  }, 30_000);

  const as = async (user: string, path: string) => httpRequest(url, { method: 'GET', url: path, headers: { authorization: `Bearer ${await identity.token({ sub: user })}` } });

  it("counts a tenant's users together against its plan's quota, names the scope, and leaves other tenants and routes alone", async () => {
    const seen = [await as(USER_1, `/api/v1/tenants/${TENANT_A}/status`), await as(USER_1, `/api/v1/tenants/${TENANT_A}/instance`), await as(USER_2, `/api/v1/tenants/${TENANT_A}/status`)];
    // Past the limits (the tenants service itself is not running here: 503); the tenant's quota is the tighter one.
    expect(seen.map((r) => [r.headers['x-ratelimit-scope'], r.headers['x-ratelimit-limit'], r.headers['x-ratelimit-remaining']])).toEqual([
      ['tenant', '3', '2'],
      ['tenant', '3', '1'],
      ['tenant', '3', '0'],
    ]);
    const refused = await as(USER_2, `/api/v1/tenants/${TENANT_A}/users`);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', policy: 'tenant-standard' });
    expect(refused.headers['x-ratelimit-scope']).toBe('tenant');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    // Another tenant (another plan) and the users' other routes are not affected.
    const other = await as(USER_2, `/api/v1/tenants/${TENANT_B}/status`);
    expect(other.statusCode).not.toBe(429);
    expect([other.headers['x-ratelimit-scope'], other.headers['x-ratelimit-limit']]).toEqual(['tenant', '100']);
    const own = await as(USER_2, '/api/v1/auth/session');
    expect(own.statusCode).toBe(200);
    expect([own.headers['x-ratelimit-scope'], own.headers['x-ratelimit-limit']]).toEqual(['user', '1000']);
    // A tenant that does not exist has no quota (the route answers for it), and plans are cached.
    expect((await as(USER_1, '/api/v1/tenants/2f1c1e52-6f1f-4e0b-9a43-0b8c58f2a1a3/status')).headers['x-ratelimit-scope']).toBe('user');
    expect(planLookups).toBe(3);
  });
});
