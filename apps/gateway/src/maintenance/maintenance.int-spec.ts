import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jetstreamManager } from '@nats-io/jetstream';
import { pino } from 'pino';
import { loadConfig } from '@saas/config';
import { SubjectNaming } from '@saas/messaging';
import { httpRequest, TestEnv, waitFor, type HttpResponse } from '@saas/testing';
import { FakeIdentity } from '../../test/fake-identity.js';
import { gatewayConfigSchema, type GatewayConfig } from '../config.js';
import { createGateway } from '../gateway.js';
import { maintenanceBucketName } from './maintenance.store.js';

const silent = pino({ level: 'silent' });

/**
 * Maintenance mode across two gateway replicas on the real NATS: switched on at one, the other
 * answers 503 MAINTENANCE_MODE within a second; health, admin and sign-in routes keep working; it
 * survives a restart of the gateway; it ends by itself at `ends_at`.
 */
describe('maintenance mode (two gateway replicas, real NATS)', () => {
  let env: TestEnv;
  let config: GatewayConfig;
  const identity = new FakeIdentity();
  const apps: Array<NestFastifyApplication | undefined> = [];
  const urls: string[] = [];
  let admin: Record<string, string>;
  let user: Record<string, string>;

  const start = async (i: number) => {
    const app = await createGateway(config, { logger: silent, swaggerUi: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    apps[i] = app;
    urls[i] = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  };
  const send = (i: number, method: string, url: string, headers: Record<string, string> = {}, payload?: object): Promise<HttpResponse> =>
    httpRequest(urls[i]!, { method, url, headers, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    env = await TestEnv.create('gw_maintenance');
    await identity.serve(await env.nats(), new SubjectNaming(env.prefix));
    config = loadConfig('gateway', gatewayConfigSchema, env.env({ RATE_LIMITS: 'anonymous:100000,standard:100000,admin:100000,infra:100000', RPC_TIMEOUT_MS: '300' }));
    await start(0);
    await start(1);
    admin = { authorization: `Bearer ${await identity.adminToken()}` };
    user = { authorization: `Bearer ${await identity.token()}` };
  });

  afterAll(async () => {
    identity.stop();
    for (const app of apps) await app?.close();
    const jsm = await jetstreamManager(await env.nats());
    await jsm.streams.delete(`KV_${maintenanceBucketName(env.prefix)}`).catch(() => undefined);
    await env?.cleanup();
  }, 30_000);

  it('is off by default and only admins may read or switch it', async () => {
    expect((await send(0, 'GET', '/api/v1/admin/maintenance', admin)).json()).toMatchObject({ enabled: false, message: null });
    expect((await send(0, 'GET', '/api/v1/admin/maintenance', user)).statusCode).toBe(403);
    expect((await send(0, 'PUT', '/api/v1/admin/maintenance', user, { enabled: true })).statusCode).toBe(403);
    expect((await send(0, 'PUT', '/api/v1/admin/maintenance', admin, { enabled: 'yes' })).json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    const past = await send(0, 'PUT', '/api/v1/admin/maintenance', admin, { enabled: true, ends_at: '2020-01-01T00:00:00Z' });
    expect({ status: past.statusCode, code: past.json().code, errors: past.json().errors }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'ends_at', message: 'ends_at must be in the future' }],
    });
    // A user's API call is not refused while it is off (404: no such route — past the gate).
    expect((await send(1, 'GET', '/api/v1/nothing-here', user)).statusCode).toBe(404);
  });

  it('switched on at one replica, every replica answers 503 MAINTENANCE_MODE with Retry-After; health, admin and sign-in still work', async () => {
    const endsAt = new Date(Date.now() + 10 * 60_000).toISOString();
    const on = await send(0, 'PUT', '/api/v1/admin/maintenance', admin, { enabled: true, message: 'Upgrading the database.', ends_at: endsAt });
    expect(on.statusCode).toBe(200);
    expect(on.json()).toMatchObject({ enabled: true, message: 'Upgrading the database.', ends_at: endsAt, started_at: expect.any(String) });

    // The replica that carried it at once; the other within a second (it polls the KV bucket).
    const refused = await send(0, 'GET', '/api/v1/auth/me', user);
    expect(refused.statusCode).toBe(503);
    const started = Date.now();
    const other = await waitFor(async () => {
      const res = await send(1, 'GET', '/api/v1/auth/me', user);
      return res.json().code === 'MAINTENANCE_MODE' ? res : null;
    }, 'the other replica in maintenance', 15_000, 50);
    expect(Date.now() - started).toBeLessThan(2_500); // a 1 s poll, with room for a loaded machine
    for (const res of [refused, other]) {
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 503, code: 'MAINTENANCE_MODE', detail: 'Upgrading the database.' });
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(500);
      expect(retryAfter).toBeLessThanOrEqual(600);
    }
    // Anonymous calls and unknown routes too.
    expect((await send(1, 'POST', '/api/v1/auth/register', {}, { email: 'a@example.com' })).json().code).toBe('MAINTENANCE_MODE');

    // Still working: health, docs-free infra, admin routes, the keys and the login route.
    expect((await send(1, 'GET', '/health')).statusCode).toBe(200);
    expect((await send(1, 'GET', '/api/v1/admin/maintenance', admin)).json()).toMatchObject({ enabled: true });
    expect((await send(1, 'GET', '/.well-known/jwks.json')).statusCode).toBe(200);
    expect((await send(1, 'POST', '/api/v1/auth/login', {}, { email: 'not-an-email', password: 'x' })).json().code).toBe('VALIDATION_FAILED');
  });

  it('survives a gateway restart, and off at any replica means off everywhere', async () => {
    await apps[1]!.close();
    apps[1] = undefined;
    await start(1);
    expect((await send(1, 'GET', '/api/v1/auth/me', user)).json().code).toBe('MAINTENANCE_MODE');

    const off = await send(1, 'PUT', '/api/v1/admin/maintenance', admin, { enabled: false });
    expect(off.json()).toMatchObject({ enabled: false, message: null, ends_at: null });
    // Past the gate again: an unknown route is a plain 404.
    await waitFor(async () => (await send(0, 'GET', '/api/v1/nothing-here', user)).statusCode === 404, 'the first replica out of maintenance', 15_000, 50);
  });

  it('ends by itself at ends_at', async () => {
    await send(0, 'PUT', '/api/v1/admin/maintenance', admin, { enabled: true, ends_at: new Date(Date.now() + 1_500).toISOString() });
    expect((await send(0, 'GET', '/api/v1/nothing-here', user)).json().code).toBe('MAINTENANCE_MODE');
    await waitFor(async () => (await send(0, 'GET', '/api/v1/nothing-here', user)).statusCode === 404, 'maintenance over at ends_at', 15_000, 100);
    expect((await send(1, 'GET', '/api/v1/admin/maintenance', admin)).json()).toMatchObject({ enabled: false });
  });
});
