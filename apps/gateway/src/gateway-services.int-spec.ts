import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { ServiceNames } from '@saas/contracts';
import { SubjectNaming } from '@saas/messaging';
import { distPath, httpRequest, REPO_ROOT, startProcess, startService, TestEnv, type HttpRequest, type ManagedProcess } from '@saas/testing';
import { FakeIdentity } from '../test/fake-identity.js';

/** Set in beforeAll: an admin access token signed by the fake identity's key. */
const AUTH: Record<string, string> = {};

/** The built gateway and a real tenants service, both as processes from dist; the other services are not running. */
describe('gateway with a real service (processes from dist)', () => {
  let env: TestEnv;
  let tenants: ManagedProcess;
  let gateway: ManagedProcess;
  let baseUrl: string;
  const identity = new FakeIdentity();
  const get = (url: string, headers: Record<string, string> = {}) => httpRequest(baseUrl, { method: 'GET', url, headers });
  const send = (req: HttpRequest) => httpRequest(baseUrl, req);

  beforeAll(async () => {
    execFileSync(process.execPath, ['tools/build.mjs'], { cwd: REPO_ROOT, env: { ...process.env, BUILD_QUIET: '1' } });
    env = await TestEnv.create('gw_services');
    tenants = await startService('tenants', env.env());
    // Only the JWKS of identity (the service itself is not running): the gateway verifies admin tokens against it.
    await identity.serve(await env.nats(), new SubjectNaming(env.prefix));
    AUTH.authorization = `Bearer ${await identity.adminToken()}`;
    gateway = startProcess(
      'gateway',
      distPath('apps', 'gateway', 'src', 'main.js'),
      env.env({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', HEALTH_RPC_TIMEOUT_MS: '1000' }),
    );
    const ready = JSON.parse(await gateway.waitForOutput(/gateway ready/, 30_000)) as { port: number; url: string };
    expect(ready.url).toBe(`http://127.0.0.1:${ready.port}`);
    baseUrl = ready.url;
  }, 90_000);

  afterAll(async () => {
    identity.stop();
    await gateway?.kill('SIGTERM');
    await tenants?.kill('SIGTERM');
    await env?.cleanup();
  }, 60_000);

  it('shows tenants ok and the services that are not running as SERVICE_UNAVAILABLE, overall 503', async () => {
    const started = Date.now();
    const res = await get('/health/detailed');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(res.statusCode).toBe(503);
    const report = res.json();
    expect(report.status).toBe('degraded');
    expect(report.services.tenants).toMatchObject({
      status: 'ok',
      version: expect.any(String),
      instance: expect.any(String),
      latency_ms: expect.any(Number),
      checks: { postgres: { status: 'ok' }, nats: { status: 'ok' } },
    });
    for (const s of ServiceNames.filter((n) => n !== 'tenants')) {
      expect(report.services[s]).toMatchObject({ status: 'down', error: { code: 'SERVICE_UNAVAILABLE' } });
    }
    expect(report.postgres.status).toBe('ok');
    expect(report.nats.status).toBe('ok');
    expect(report.jetstream).toMatchObject({ status: 'ok', stream: { name: env.streamName } });
  });

  it('answers an RPC to billing (not running) with 503 problem+json in under a second, echoing X-Request-Id', async () => {
    const started = Date.now();
    const res = await get('/api/v1/admin/dead-letters?service=billing', { ...AUTH, 'x-request-id': 'billing-down-1' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['x-request-id']).toBe('billing-down-1');
    expect(res.json()).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', correlation_id: 'billing-down-1', instance: '/api/v1/admin/dead-letters' });
  });

  it('lists the dead letters of a running service as a Page', async () => {
    const res = await get('/api/v1/admin/dead-letters?service=tenants&status=parked', AUTH);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ count: 0, next: null, previous: null, results: [] });
  });

  it('merges what the running services have and names the ones that did not answer', async () => {
    const res = await get('/api/v1/admin/dead-letters', AUTH);
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page).toMatchObject({ count: 0, results: [] });
    expect(page.unavailable.map((u: { service: string }) => u.service).sort()).toEqual(ServiceNames.filter((n) => n !== 'tenants').sort());
  });

  it('passes the service’s own 404 through for a replay of an unknown dead letter', async () => {
    const id = '7d1c3b2a-9e8f-4a6b-8c5d-0e1f2a3b4c5d';
    const res = await send({ method: 'POST', url: `/api/v1/admin/dead-letters/tenants/${id}/replay`, headers: { ...AUTH, 'x-request-id': 'replay-1' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'DEAD_LETTER_NOT_FOUND', correlation_id: 'replay-1' });
  });

  // Regression (issue 16): both answered 500, from the tenants service and from Postgres.
  it.each([['{}'], ['null'], ['{"name":null}'], ['{"metadata":{"plan":"x"}}']])('refuses a tenant create with body %s as 400 VALIDATION_FAILED naming name', async (payload) => {
    const res = await send({ method: 'POST', url: '/api/v1/tenants', headers: { ...AUTH, 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: expect.arrayContaining([expect.objectContaining({ field: 'name' })]) });
  });

  it.each(['/api/v1/tenants', '/api/v1/admin/tenants'])('refuses a page number beyond what can be offset on %s with 400', async (url) => {
    const res = await get(`${url}?page=99999999999999999999`, AUTH);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'page' })] });
    expect((await get(`${url}?page=450359962737049&page_size=20`, AUTH)).json()).toMatchObject({ count: 0, results: [] });
  });

  it('serves the Swagger UI and its assets under the CSP', async () => {
    const page = await get('/docs');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    const scripts = [...page.body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const src of scripts) {
      const asset = await get(new URL(src, `${baseUrl}/docs`).pathname);
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['content-type']).toMatch(/javascript/);
    }
    const doc = await get('/docs/openapi.json');
    expect(doc.json().info.title).toBe('SaaS Control Plane API');
  });

  it('stops on SIGTERM with exit code 0', async () => {
    expect(await gateway.kill('SIGTERM')).toBe(0);
    expect(gateway.output()).toMatch(/gateway stopped/);
  });
});
