import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import type { Subscription } from '@nats-io/transport-node';
import { ServiceNames, type ServiceName } from '@saas/contracts';
import { distPath, REPO_ROOT, startProcess, startService, TestEnv, waitFor, type ManagedProcess } from '@saas/testing';

const HEALTH_RPC_TIMEOUT_MS = 1_500;

interface DetailedHealth {
  status: string;
  services: Record<ServiceName, { status: string; error?: { code: string } }>;
  postgres: { status: string };
  nats: { status: string };
  jetstream: { status: string; consumers: Array<{ service: string }> };
  gateway: { status: string };
}

/** The whole platform as processes from dist: six services and the gateway, in one isolated world. */
describe('gateway e2e: health of the running platform', () => {
  let env: TestEnv;
  const services = new Map<ServiceName, ManagedProcess>();
  let gateway: ManagedProcess;
  let baseUrl: string;
  const subs: Subscription[] = [];

  async function detailed(): Promise<{ status: number; body: DetailedHealth }> {
    const res = await fetch(`${baseUrl}/health/detailed`);
    return { status: res.status, body: (await res.json()) as DetailedHealth };
  }

  beforeAll(async () => {
    execFileSync(process.execPath, ['tools/build.mjs'], { cwd: REPO_ROOT, env: { ...process.env, BUILD_QUIET: '1' } });
    env = await TestEnv.create('gw_e2e');
    await Promise.all(ServiceNames.map(async (s) => services.set(s, await startService(s, env.env()))));
    gateway = startProcess(
      'gateway',
      distPath('apps', 'gateway', 'src', 'main.js'),
      env.env({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', HEALTH_RPC_TIMEOUT_MS: String(HEALTH_RPC_TIMEOUT_MS) }),
    );
    const ready = JSON.parse(await gateway.waitForOutput(/gateway ready/, 30_000)) as { port: number };
    baseUrl = `http://127.0.0.1:${ready.port}`;
  }, 120_000);

  afterAll(async () => {
    for (const s of subs) s.unsubscribe();
    await gateway?.kill('SIGTERM');
    await Promise.all([...services.values()].map((p) => p.kill('SIGTERM')));
    await env?.cleanup();
  }, 60_000);

  it('reports all six services, Postgres, NATS and JetStream ok with 200', async () => {
    const { status, body } = await detailed();
    expect(body.status).toBe('ok');
    expect(status).toBe(200);
    // Ready: NATS connected and every credential revocation reader caught up.
    const ready = await fetch(`${baseUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', nats: { status: 'ok' }, revocations: { status: 'ok', readers: expect.arrayContaining([expect.objectContaining({ caught_up: true })]) } });
    for (const s of ServiceNames) expect(body.services[s].status).toBe('ok');
    expect(body.postgres.status).toBe('ok');
    expect(body.nats.status).toBe('ok');
    expect(body.jetstream.status).toBe('ok');
    expect(body.gateway.status).toBe('ok');
  }, 30_000);

  it('reports 503 with the service down once it is stopped', async () => {
    expect(await services.get('billing')!.kill('SIGTERM')).toBe(0);
    const { status, body } = await waitFor(async () => {
      const r = await detailed();
      return r.body.services.billing.status === 'down' ? r : undefined;
    }, 'billing to show as down');
    expect(status).toBe(503);
    expect(body.status).toBe('degraded');
    expect(body.services.billing.error?.code).toBe('SERVICE_UNAVAILABLE');
    for (const s of ServiceNames.filter((n) => n !== 'billing')) expect(body.services[s].status).toBe('ok');
  }, 30_000);

  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    // A responder that never answers keeps /health/detailed waiting for the full health timeout.
    const nc = await env.nats();
    subs.push(nc.subscribe(`${env.prefix}rpc.billing.health`, { callback: () => undefined }));
    await nc.flush();

    const started = Date.now();
    const inFlight = detailed();
    await new Promise((r) => setTimeout(r, 300));
    const exited = gateway.kill('SIGTERM');
    const { status, body } = await inFlight;
    expect(Date.now() - started).toBeGreaterThanOrEqual(HEALTH_RPC_TIMEOUT_MS - 50);
    expect(status).toBe(503);
    expect(body.services.billing.error?.code).toBe('SERVICE_TIMEOUT');
    expect(await exited).toBe(0);
    expect(gateway.output()).toMatch(/gateway stopped/);
  }, 30_000);
});
