import { randomBytes, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { pino } from 'pino';
import { distPath, startProcess, TEST_PG_ADMIN_URL } from '@saas/testing';
import { withDatabase } from '../../tenant-database/postgres-tools.js';
import { TenantDatabaseManager } from '../../tenant-database/tenant-database.manager.js';
import type { TenantDatabaseInfo } from '../../tenant-database/tenant-database.types.js';
import type { TenantSpec } from '../tenant-runtime.js';
import { LocalRuntime, type LocalRuntimeOptions } from './local-runtime.js';

const run = randomBytes(3).toString('hex');
const sharedDatabase = `t_local_rt_shared_${run}`;
const logger = pino({ level: process.env.TEST_RUNTIME_LOG ?? 'silent' });

function spec(label: string, strategy: TenantSpec['databaseStrategy']): TenantSpec {
  return { tenantId: randomUUID(), slug: `lr-${label}-${run}`, name: `Tenant ${label.toUpperCase()} & Co`, plan: 'starter', databaseStrategy: strategy };
}

function get(port: number, urlPath = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Independent of the runtime's own bookkeeping: every live process whose command line names the tenant. */
function processesOf(tenantId: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
        return state !== 'Z' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(tenantId);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const visits = (body: string) => Number(/id="visits">(\d+)</.exec(body)?.[1]);

describe('LocalRuntime (real processes, real Postgres)', () => {
  let runtimeDir: string;
  let options: LocalRuntimeOptions;
  let manager: TenantDatabaseManager;
  let runtime: LocalRuntime;
  const runtimes: LocalRuntime[] = [];
  const a = spec('a', 'dedicated');
  const b = spec('b', 'shared');
  const c1 = spec('c1', 'dedicated');
  const c2 = spec('c2', 'dedicated');
  const p = { ...spec('p', 'shared'), customPluginRepo: 'https://git.example.test/acme/acme-addons.git' };
  let dbA: TenantDatabaseInfo;
  let dbB: TenantDatabaseInfo;

  const newRuntime = async () => {
    const r = new LocalRuntime(options, { logger, storage: manager });
    runtimes.push(r);
    await r.init();
    return r;
  };
  const stateFile = (s: TenantSpec) => JSON.parse(readFileSync(path.join(runtimeDir, s.slug, 'instance.json'), 'utf8'));
  const portOf = async (r: LocalRuntime, s: TenantSpec) => {
    const info = await r.getInstance(s.tenantId);
    return info?.endpoint.kind === 'local' ? info.endpoint : null;
  };

  beforeAll(async () => {
    runtimeDir = await mkdtemp(path.join(os.tmpdir(), 'saas-local-runtime-'));
    manager = new TenantDatabaseManager({ adminUrl: TEST_PG_ADMIN_URL, sharedDatabase });
    options = {
      runtimeDir,
      command: [process.execPath, distPath('apps', 'tenant-app', 'src', 'main.js')],
      appVersion: 'tenant-app-test',
      portRange: { first: 20000, last: 29999 },
      bindHost: '127.0.0.1',
      accessUrlTemplate: 'http://{slug}.localhost:3000',
      startTimeoutMs: 15_000,
      stopTimeoutMs: 5_000,
      superviseIntervalMs: 200,
      restartBackoffMs: 100,
      metricsIntervalMs: 200,
      metricsSamples: 100,
      logMaxBytes: 1024 * 1024,
    };
    if (!existsSync(options.command[1]!)) throw new Error('build first: node tools/build.mjs');
    runtime = await newRuntime();
  });

  afterAll(async () => {
    for (const r of runtimes) await r.close();
    const cleaner = new LocalRuntime(options, { logger });
    for (const s of [a, b, c1, c2, p]) {
      await cleaner.removeInstance(s.tenantId).catch(() => undefined);
      for (const pid of processesOf(s.tenantId)) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await manager.dropDatabase(s.slug).catch(() => undefined);
    }
    await manager.close();
    const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(sharedDatabase)} WITH (FORCE)`);
    await admin.end();
    await rm(runtimeDir, { recursive: true, force: true });
  });

  it('starts a dedicated tenant whose page shows its name and a counter kept in its database', async () => {
    dbA = await manager.createDatabase(a.slug, 'dedicated');
    const steps: string[] = [];
    const info = await runtime.ensureInstance(a, dbA, (step) => steps.push(step));
    expect(info).toMatchObject({ runtime: 'local', status: 'running', restarts: 0, access_url: `http://${a.slug}.localhost:3000`, version: 'tenant-app-test' });
    expect(info.resources.memory_limit).toBe('1Gi');
    expect(steps).toEqual(['instance.prepare', 'instance.start', 'instance.health', 'instance.ready']);
    const { port, pid } = info.endpoint as { port: number; pid: number };

    const first = await get(port);
    expect(first.status).toBe(200);
    expect(first.body).toContain('Tenant A &amp; Co');
    expect(visits(first.body)).toBe(1);
    expect(visits((await get(port)).body)).toBe(2);
    expect(await get(port, '/health')).toEqual({ status: 200, body: JSON.stringify({ status: 'ok', tenant: a.slug }) });
    const stored = await new pg.Client({ connectionString: withDatabase(TEST_PG_ADMIN_URL, dbA.database) });
    await stored.connect();
    expect((await stored.query(`SELECT count(*)::int AS n FROM ${dbA.schema}.visits`)).rows[0].n).toBe(2);
    await stored.end();
    expect(await runtime.resolveUpstream(a.slug)).toEqual({ host: '127.0.0.1', port });

    // Same spec and credentials again: nothing restarts, nothing doubles.
    const again = await runtime.ensureInstance(a, dbA);
    expect(again.endpoint).toMatchObject({ port, pid });
    expect(processesOf(a.tenantId)).toEqual([pid]);
  });

  it('serves a shared-strategy tenant from its own schema in the shared database', async () => {
    dbB = await manager.createDatabase(b.slug, 'shared');
    const info = await runtime.ensureInstance(b, dbB);
    const { port } = info.endpoint as { port: number };
    expect(visits((await get(port)).body)).toBe(1);
    const admin = new pg.Client({ connectionString: withDatabase(TEST_PG_ADMIN_URL, sharedDatabase) });
    await admin.connect();
    expect((await admin.query(`SELECT count(*)::int AS n FROM ${dbB.schema}.visits`)).rows[0].n).toBe(1);
    await admin.end();
  });

  it('replaces the process when the spec changes (new name, new credentials)', async () => {
    const before = (await portOf(runtime, b))!;
    dbB = await manager.createDatabase(b.slug, 'shared');
    b.name = 'Tenant B renamed';
    const info = await runtime.ensureInstance(b, dbB);
    const after = info.endpoint as { port: number; pid: number };
    expect(after.pid).not.toBe(before.pid);
    expect(after.port).toBe(before.port);
    const page = await get(after.port);
    expect(page.body).toContain('Tenant B renamed');
    expect(visits(page.body)).toBe(2);
    expect(processesOf(b.tenantId)).toEqual([after.pid]);
  });

  it('stops (port closed) and starts again (serving, data kept)', async () => {
    const { port } = (await portOf(runtime, a))!;
    const stopped = await runtime.stopInstance(a.tenantId);
    expect(stopped.status).toBe('stopped');
    expect(await portOpen(port as number)).toBe(false);
    expect(processesOf(a.tenantId)).toEqual([]);
    expect(await runtime.resolveUpstream(a.slug)).toBeNull();
    // Supervision must not bring a stopped instance back.
    await new Promise((r) => setTimeout(r, 600));
    expect(processesOf(a.tenantId)).toEqual([]);

    const started = await runtime.startInstance(a.tenantId);
    expect(started.status).toBe('running');
    const newPort = (started.endpoint as { port: number }).port;
    expect(visits((await get(newPort)).body)).toBe(3);

    const restarted = await runtime.restartInstance(a.tenantId);
    expect(restarted.status).toBe('running');
    expect(restarted.restarts).toBe(0);
    expect(processesOf(a.tenantId)).toEqual([(restarted.endpoint as { pid: number }).pid]);
  });

  it('restarts a crashed instance on its own and counts the restart', async () => {
    const { pid } = (await portOf(runtime, a)) as { pid: number };
    process.kill(pid, 'SIGKILL');
    const info = await eventually(async () => {
      const i = await runtime.getInstance(a.tenantId);
      return i?.status === 'running' && (i.endpoint as { pid: number }).pid !== pid ? i : null;
    });
    expect(info.restarts).toBe(1);
    expect(processesOf(a.tenantId)).toHaveLength(1);
    expect((await get((info.endpoint as { port: number }).port)).status).toBe(200);
  });

  it('stops and restarts an instance that is alive but no longer answers its health check (hung)', async () => {
    const before = (await runtime.getInstance(a.tenantId))!;
    const { pid } = before.endpoint as { pid: number };
    process.kill(pid, 'SIGSTOP'); // alive, answers nothing
    const info = await eventually(async () => {
      const i = await runtime.getInstance(a.tenantId);
      return i?.status === 'running' && (i.endpoint as { pid: number }).pid !== pid ? i : null;
    }, 30_000);
    expect(info.restarts).toBe(before.restarts + 1);
    expect(processesOf(a.tenantId)).toHaveLength(1);
    expect((await get((info.endpoint as { port: number }).port)).status).toBe(200);
    const logs = await runtime.logs(a.tenantId, { page: 1, page_size: 50, search: 'unresponsive' });
    expect(logs.results.map((e) => e.message).join('\n')).toMatch(/unresponsive: 3 health checks failed in a row/);
  }, 60_000);

  it('adopts the running instance when the provisioning runtime is replaced, never starting a second one', async () => {
    const before = (await portOf(runtime, a)) as { pid: number; port: number };
    await runtime.close(); // what a SIGKILL of provisioning leaves: the apps keep running
    runtime = await newRuntime();
    const adopted = await runtime.getInstance(a.tenantId);
    expect(adopted).toMatchObject({ status: 'running', endpoint: { pid: before.pid, port: before.port } });
    expect(stateFile(a).process.pid).toBe(before.pid);
    expect(processesOf(a.tenantId)).toEqual([before.pid]);
    // The saga re-running its step after the crash changes nothing either.
    expect((await runtime.ensureInstance(a, dbA)).endpoint).toMatchObject({ pid: before.pid });
    expect(processesOf(a.tenantId)).toEqual([before.pid]);
  });

  it('restarts on recovery an instance that died while no runtime watched', async () => {
    const before = (await portOf(runtime, b)) as { pid: number };
    await runtime.close();
    process.kill(before.pid, 'SIGKILL');
    runtime = await newRuntime();
    const info = await eventually(async () => {
      const i = await runtime.getInstance(b.tenantId);
      return i?.status === 'running' ? i : null;
    });
    expect((info.endpoint as { pid: number }).pid).not.toBe(before.pid);
    expect(processesOf(b.tenantId)).toHaveLength(1);
  });

  it('ends with exactly one instance when the provisioning process is SIGKILLed mid-start', async () => {
    for (const [s, killAt] of [
      [c1, 'STEP instance.health'],
      [c2, 'STEP instance.start'],
    ] as const) {
      const db = await manager.createDatabase(s.slug, 'dedicated');
      const host = startProcess('local-runtime-host', distPath('apps', 'provisioning', 'test', 'local-runtime-host.js'), {
        LOCAL_RUNTIME_HOST_INPUT: JSON.stringify({ options, spec: s, db }),
      });
      await host.waitForOutput(new RegExp(killAt), 15_000);
      await host.kill('SIGKILL');
      const survivor = await newRuntime();
      const info = await survivor.ensureInstance(s, db);
      expect(info.status).toBe('running');
      expect(processesOf(s.tenantId)).toEqual([(info.endpoint as { pid: number }).pid]);
      expect(visits((await get((info.endpoint as { port: number }).port)).body)).toBe(1);
      await survivor.removeInstance(s.tenantId);
      await survivor.close();
      await manager.dropDatabase(s.slug);
      expect(processesOf(s.tenantId)).toEqual([]);
    }
  });

  it('reports CPU, memory and database size as a series, and the app’s logs', async () => {
    const { port } = (await portOf(runtime, a)) as { port: number };
    for (let i = 0; i < 5; i++) await get(port);
    await new Promise((r) => setTimeout(r, 700));
    const now = new Date();
    const m = await runtime.metrics(a.tenantId, { from: new Date(now.getTime() - 60_000), to: now, step_s: 1 });
    expect(m.limits).toEqual({ cpu_limit: '1', memory_limit: '1Gi', storage: '5Gi' });
    expect(m.current!.memory_bytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(m.current!.cpu_percent).toBeGreaterThanOrEqual(0);
    expect(m.current!.storage_bytes).toBeGreaterThan(1_000_000);
    expect(m.series.length).toBeGreaterThanOrEqual(1);

    const visitsLogged = await runtime.logs(a.tenantId, { page: 1, page_size: 2, search: 'visit' });
    expect(visitsLogged.count).toBeGreaterThanOrEqual(5);
    expect(visitsLogged.results).toHaveLength(2);
    expect(visitsLogged.results[0]).toMatchObject({ level: 'info', message: 'visit', source: 'app' });
    expect(Date.parse(visitsLogged.results[0]!.timestamp!)).toBeGreaterThanOrEqual(Date.parse(visitsLogged.results[1]!.timestamp!));
    const warnings = await runtime.logs(a.tenantId, { level: 'warn', page: 1, page_size: 50 });
    expect(warnings.results.some((e) => e.source === 'runtime' && /restarting/.test(e.message))).toBe(true);
    expect(warnings.results.every((e) => e.level === 'warn' || e.level === 'error' || e.level === 'fatal')).toBe(true);
    const future = await runtime.logs(a.tenantId, { page: 1, page_size: 10, from: new Date(Date.now() + 60_000) });
    expect(future.count).toBe(0);
  });

  it('clones the tenant’s custom_plugin_repo into its add-ons before the app starts (the page lists them); a repository that cannot be cloned is refused with git’s reason', async () => {
    // An https URL as a tenant gives it, served offline: git rewrites it to a local bare repository.
    const gitDir = await mkdtemp(path.join(os.tmpdir(), 'saas-plugin-repos-'));
    const remotes = path.join(gitDir, 'remotes');
    const work = path.join(gitDir, 'work');
    mkdirSync(path.join(work, 'sale_extra'), { recursive: true });
    writeFileSync(path.join(work, 'sale_extra', '__manifest__.py'), "{'name': 'Sale extra'}\n");
    const git = (args: string[], cwd = work) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'init.defaultBranch=main', ...args], { cwd, stdio: 'pipe' });
    git(['init', '-q']);
    git(['add', '.']);
    git(['commit', '-q', '-m', 'add-ons']);
    mkdirSync(path.join(remotes, 'acme'), { recursive: true });
    git(['clone', '-q', '--bare', work, path.join(remotes, 'acme', 'acme-addons.git')], gitDir);
    Object.assign(process.env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `url.file://${remotes}/.insteadOf`, GIT_CONFIG_VALUE_0: 'https://git.example.test/' });
    try {
      const db = await manager.createDatabase(p.slug, 'shared');
      const steps: string[] = [];
      const info = await runtime.ensureInstance(p, db, (step) => steps.push(step));
      expect(steps).toContain('instance.addons');
      expect(readFileSync(path.join(runtimeDir, p.slug, 'addons', 'acme-addons', 'sale_extra', '__manifest__.py'), 'utf8')).toContain('Sale extra');
      expect((await get((info.endpoint as { port: number }).port)).body).toContain('Add-ons: <span id="addons">acme-addons</span>');

      // Another repository that does not exist: the start is refused, saying why.
      const broken = { ...p, customPluginRepo: 'https://git.example.test/acme/missing.git' };
      const refused = await runtime.ensureInstance(broken, db).then(
        () => null,
        (err: Error) => err,
      );
      expect(refused?.message).toMatch(/custom_plugin_repo https:\/\/git\.example\.test\/acme\/missing\.git could not be cloned: .*(does not exist|not found|not appear to be a git repository)/i);
      expect((await runtime.getInstance(p.tenantId))?.status).toBe('failed');
      await runtime.removeInstance(p.tenantId);
      await manager.dropDatabase(p.slug);
    } finally {
      for (const k of ['GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0']) delete process.env[k];
      await rm(gitDir, { recursive: true, force: true });
    }
  });

  it('removes instances and databases leaving no process, port, directory, database, schema or role', async () => {
    for (const s of [a, b]) {
      const endpoint = await portOf(runtime, s);
      await runtime.removeInstance(s.tenantId);
      await runtime.removeInstance(s.tenantId);
      await manager.dropDatabase(s.slug);
      expect(processesOf(s.tenantId)).toEqual([]);
      if (endpoint?.port) expect(await portOpen(endpoint.port)).toBe(false);
      expect(existsSync(path.join(runtimeDir, s.slug))).toBe(false);
      expect(await runtime.getInstance(s.tenantId)).toBeNull();
      expect(await manager.footprint(s.slug)).toEqual({ role: false, dedicatedDatabase: false, sharedSchema: false });
    }
    expect(readdirSync(runtimeDir)).toEqual([]);
    await expect(readFile(path.join(runtimeDir, a.slug, 'instance.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
