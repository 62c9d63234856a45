/**
 * Create → active on the local runtime (issue: p95 ≤ 2 s one at a time and with 10 at once, apart
 * from the tenant app's own start-up). Real tenants + provisioning processes, real Postgres and NATS.
 *
 * The tenant app's start-up (spawn until its /health answers) is measured on its own, the same way
 * the runtime starts it, and its median is subtracted from each create → active sample: what is left
 * is the platform's share (events, saga, database creation, process supervision).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TenantsRpc, type CallerDto, type TenantStatusView, type TenantView } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { distPath, startService, TestEnv, waitFor } from '@saas/testing';

export interface Series {
  label: string;
  samples: number[];
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Spawn → first 200 from /health of the sample app, on a throwaway database. */
async function appStartupMs(databaseUrl: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [distPath('apps', 'tenant-app', 'src', 'main.js')], {
    env: { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, TENANT_ID: randomUUID(), TENANT_NAME: 'Bench', TENANT_SLUG: 'bench', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok, 'app health', 20_000, 5);
    return performance.now() - started;
  } finally {
    child.kill('SIGTERM');
  }
}

export async function runProvisioningBench(log: (line: string) => void = console.log): Promise<{ series: Series[]; appStartupMedianMs: number }> {
  const runId = randomBytes(3).toString('hex');
  const env = await TestEnv.create('bench_prov');
  const runtimeDir = mkdtempSync(path.join(tmpdir(), `bench-prov-${runId}-`));
  const base = 40_000 + Math.floor(Math.random() * 50) * 100;
  const serviceEnv = env.env({
    LOCAL_RUNTIME_DIR: runtimeDir,
    LOCAL_PORT_RANGE: `${base}-${base + 99}`,
    SHARED_TENANT_DATABASE: `t_shared_${runId}`,
    PROVISIONING_CONCURRENCY: '10',
    LOG_LEVEL: 'warn',
  });
  const tenantsSvc = await startService('tenants', serviceEnv);
  const provisioning = await startService('provisioning', serviceEnv);
  const rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 15_000);
  // Ten different customers signing up: one owner's creations are serialised by design (its limit).
  const customer = (): CallerDto => ({ actor: { type: 'user', id: randomUUID() }, roles: ['user'], tier: 'enterprise' });
  const owner: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['admin', 'user'] };
  const created: TenantView[] = [];

  const createToActive = async (i: number): Promise<number> => {
    const t0 = performance.now();
    const t = await rpc.call<TenantView>(TenantsRpc.create, { caller: customer(), name: `Bench ${i}`, subdomain: `bench-${runId}-${i}` });
    created.push(t);
    await waitFor(async () => (await rpc.call<TenantStatusView>(TenantsRpc.status, { caller: owner, id: t.id })).status === 'active', 'active', 60_000, 10);
    return performance.now() - t0;
  };

  try {
    const appStartup: number[] = [];
    for (let i = 0; i < 5; i++) appStartup.push(await appStartupMs(env.databaseUrl));
    const appStartupMedianMs = percentile(appStartup, 50);
    log(`tenant app start-up (spawn → /health): median ${appStartupMedianMs.toFixed(0)} ms`);

    await createToActive(0); // warm-up: first database creation, JIT
    const sequential: number[] = [];
    for (let i = 1; i <= 10; i++) sequential.push(await createToActive(i));
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => createToActive(100 + i)));

    const series: Series[] = [
      { label: 'one at a time (10 tenants)', samples: sequential },
      { label: '10 created at once', samples: burst },
    ];
    for (const s of series) {
      const net = s.samples.map((v) => Math.max(0, v - appStartupMedianMs));
      log(`${s.label}: create→active p50 ${percentile(s.samples, 50).toFixed(0)} ms, p95 ${percentile(s.samples, 95).toFixed(0)} ms; without app start-up p95 ${percentile(net, 95).toFixed(0)} ms`);
    }
    return { series, appStartupMedianMs };
  } finally {
    for (const t of created) await rpc.call(TenantsRpc.delete, { caller: owner, id: t.id }).catch(() => undefined);
    await waitFor(async () => {
      const all = await Promise.all(created.map((t) => rpc.call<TenantStatusView>(TenantsRpc.status, { caller: owner, id: t.id })));
      return all.every((s) => s.status === 'deleted');
    }, 'all deleted', 120_000, 200).catch(() => undefined);
    await provisioning.kill('SIGTERM');
    await tenantsSvc.kill('SIGTERM');
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "t_shared_${runId}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    rmSync(runtimeDir, { recursive: true, force: true });
    await env.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runProvisioningBench();
}
