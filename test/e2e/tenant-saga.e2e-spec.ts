import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProvisioningRpc, TenantsRpc, type TenantStatusView, type TenantView } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { adminCaller, dropDatabasesStartingWith, processesWithArgument, readEvents, rejection, startService, TestEnv, userCaller, waitFor, type ManagedProcess } from '@saas/testing';

/**
 * The tenant lifecycle saga on real processes (tenants + provisioning, local runtime, real Postgres
 * and NATS): a tenant reaches `active` and its app serves; stop, start and delete work; provisioning
 * SIGKILLed at every step still ends with exactly one database and one instance; a failing step
 * leaves `error` with the reason and a retry succeeds; nothing is left behind.
 */
const runId = randomBytes(3).toString('hex');
const owner = userCaller({ tier: 'enterprise' });
// Tenants per owner come from the tenants' plans (no floor by the caller's tier): seven tenants need enterprise's 50.
const PLAN = 'enterprise';
const admin = adminCaller();
const portBase = 20_000 + Math.floor(Math.random() * 120) * 100;

/** Processes whose command line marks them as one of these tenants' apps (see tenantMarker). */
/** The tenant's app processes (the local runtime marks them with `--saas-tenant=<id>`). */
const tenantProcesses = (tenantId: string) => processesWithArgument(`--saas-tenant=${tenantId}`);

describe('tenant lifecycle saga on the local runtime', () => {
  let env: TestEnv;
  let runtimeDir: string;
  let tenants: ManagedProcess;
  let provisioning: ManagedProcess | undefined;
  let backups: ManagedProcess | undefined;
  let rpc: RpcClient;
  const created: TenantView[] = [];

  const serviceEnv = (extra: Record<string, string> = {}) =>
    env.env({
      LOCAL_RUNTIME_DIR: runtimeDir,
      LOCAL_PORT_RANGE: `${portBase}-${portBase + 99}`,
      SHARED_TENANT_DATABASE: `t_shared_${runId}`,
      LOCAL_START_TIMEOUT_MS: '15000',
      PROVISIONING_JOB_LEASE_MS: '1500',
      PROVISIONING_POLL_MS: '200',
      EVENT_ACK_WAIT_MS: '5000',
      // Spare databases on (ADR 0009): a claimed spare must survive a crash as exactly one database.
      TENANT_DATABASE_SPARES: '2',
      ...extra,
    });

  const startProvisioning = async (extra: Record<string, string> = {}) => {
    provisioning = await startService('provisioning', serviceEnv(extra));
    return provisioning;
  };

  const create = async (name: string, extra: Record<string, unknown> = {}) => {
    const t = await rpc.call(TenantsRpc.create, { caller: owner, name, subdomain: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${runId}`, admin_password: 'instance-admin-pw', plan: PLAN, ...extra });
    created.push(t);
    return t;
  };
  const status = (id: string) => rpc.call(TenantsRpc.status, { caller: owner, id });
  const until = async (id: string, want: string, timeoutMs = 30_000) => {
    let last: TenantStatusView | undefined;
    try {
      return await waitFor(async () => {
        last = await status(id);
        return last.status === want ? last : null;
      }, `tenant ${id} ${want}`, timeoutMs, 100);
    } catch (err) {
      const logs = provisioning?.output().split('\n').filter((l) => /"level":"(warn|error)"/.test(l)).slice(-8).join('\n');
      throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last)}\nprovisioning warnings:\n${logs}`);
    }
  };
  const upstream = async (slug: string) => (await rpc.call(ProvisioningRpc.instanceRoute, { slug })).upstream;
  const databasesOf = async (slug: string) => {
    const c = await env.pg();
    try {
      const db = `tenant_${slug.replace(/-/g, '_')}`;
      const dbs = await c.query('SELECT datname FROM pg_database WHERE datname = $1', [db]);
      const roles = await c.query('SELECT rolname FROM pg_roles WHERE rolname = $1', [db]);
      return { databases: dbs.rowCount ?? 0, roles: roles.rowCount ?? 0 };
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    env = await TestEnv.create('saga');
    runtimeDir = mkdtempSync(path.join(tmpdir(), `saga-${runId}-`));
    tenants = await startService('tenants', serviceEnv());
    // A deletion waits for the tenant's final backup (backups service).
    backups = await startService('backups', serviceEnv({ BACKUP_DIR: `${runtimeDir}-backups`, BACKUP_POLL_MS: '100' }));
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 15_000);
  }, 120_000);

  afterAll(async () => {
    await provisioning?.kill('SIGTERM');
    await tenants?.kill('SIGTERM');
    await backups?.kill('SIGTERM');
    // Whatever a failed test left: tenant apps, databases, roles.
    for (const t of created) for (const pid of tenantProcesses(t.id)) process.kill(pid, 'SIGKILL');
    const c = await env.pg();
    for (const t of created) {
      const name = `tenant_${t.slug.replace(/-/g, '_')}`;
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      await c.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).catch(() => undefined);
    }
    await c.query(`DROP DATABASE IF EXISTS "t_shared_${runId}" WITH (FORCE)`).catch(() => undefined);
    await dropDatabasesStartingWith(c, `spare_t_shared_${runId}_`, `prep_t_shared_${runId}_`);
    for (const t of created) {
      const name = `tenant_${t.slug.replace(/-/g, '_')}`;
      await c.query(`DROP OWNED BY "${name}"`).catch(() => undefined);
      await c.query(`DROP ROLE IF EXISTS "${name}"`).catch(() => undefined);
    }
    await c.end();
    rmSync(runtimeDir, { recursive: true, force: true });
    rmSync(`${runtimeDir}-backups`, { recursive: true, force: true });
    await env.cleanup();
  }, 120_000);

  it('creates → active with its app serving, stops, starts, deletes → deleted with nothing left behind', async () => {
    await startProvisioning();
    const t = await create('Acme');
    expect(t.status).toBe('pending');
    const active = await until(t.id, 'active');
    expect(active.progress).toBe(100);
    expect(active.history.map((h) => h.to)).toEqual(['pending', 'provisioning', 'active']);

    const up = await upstream(t.slug);
    expect(up).not.toBeNull();
    const page = await fetch(`http://${up!.host}:${up!.port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Acme</h1>');
    const instance = await rpc.call(ProvisioningRpc.instanceGet, { tenant_id: t.id, caller: admin });
    expect(instance).toMatchObject({ status: 'running', runtime: 'local' });
    // Provisioning authorizes the caller itself: asked directly on the bus, someone else's tenant is
    // a 404 and the platform's totals are for admins (it used to trust that the gateway had checked).
    const stranger = userCaller();
    expect((await rejection(rpc.call(ProvisioningRpc.instanceGet, { tenant_id: t.id, caller: stranger }))).status).toBe(404);
    expect((await rejection(rpc.call(ProvisioningRpc.instanceLogs, { tenant_id: t.id, caller: stranger }))).status).toBe(404);
    expect((await rejection(rpc.call(ProvisioningRpc.instancesStats, { caller: stranger }))).status).toBe(403);
    await expect(rpc.call(ProvisioningRpc.instanceGet, { tenant_id: t.id, caller: owner })).resolves.toMatchObject({ status: 'running' });
    expect(await databasesOf(t.slug)).toEqual({ databases: 1, roles: 1 });

    await rpc.call(TenantsRpc.instanceAction, { caller: owner, id: t.id, action: 'stop' });
    await until(t.id, 'stopped');
    expect(await upstream(t.slug)).toBeNull();
    await expect(fetch(`http://${up!.host}:${up!.port}/health`)).rejects.toThrow();

    await rpc.call(TenantsRpc.instanceAction, { caller: owner, id: t.id, action: 'start' });
    await until(t.id, 'active');
    const again = await upstream(t.slug);
    expect((await fetch(`http://${again!.host}:${again!.port}/health`)).status).toBe(200);

    await rpc.call(TenantsRpc.delete, { caller: owner, id: t.id });
    await until(t.id, 'deleted');
    expect(await databasesOf(t.slug)).toEqual({ databases: 0, roles: 0 });
    expect(tenantProcesses(t.id)).toEqual([]);
    await expect(fetch(`http://${again!.host}:${again!.port}/health`)).rejects.toThrow();
    expect(existsSync(path.join(runtimeDir, t.slug))).toBe(false);
    await provisioning!.kill('SIGTERM');
  }, 120_000);

  it('suspends and resumes on admin actions, the reason on the status and on every event', async () => {
    await startProvisioning();
    const t = await create('Suspendable');
    await until(t.id, 'active');
    await rpc.call(TenantsRpc.adminAction, { caller: admin, id: t.id, action: 'suspend', reason: 'invoice overdue' });
    const suspended = await until(t.id, 'suspended');
    expect(suspended.history.at(-1)).toMatchObject({ from: 'active', to: 'suspended', reason: 'invoice overdue', actor_id: admin.actor.id });
    expect(await upstream(t.slug)).toBeNull();
    await rpc.call(TenantsRpc.adminAction, { caller: admin, id: t.id, action: 'resume', reason: 'paid' });
    await until(t.id, 'active');
    expect(await upstream(t.slug)).not.toBeNull();

    const events = await waitFor(async () => {
      const all = (await readEvents(await env.nats(), env.prefix)).filter((e) => e.tenant_id === t.id);
      return all.some((e) => e.type === 'tenant.resumed') ? all : null;
    }, 'tenant.resumed');
    const of = (type: string) => events.filter((e) => e.type === type).map((e) => e.data as Record<string, unknown>);
    expect(of('tenant.suspended')).toEqual([expect.objectContaining({ tenant_id: t.id, reason: 'invoice overdue' })]);
    expect(of('tenant.resumed')).toEqual([expect.objectContaining({ tenant_id: t.id, reason: 'paid', access_url: expect.any(String) })]);
    expect(of('tenant.status_changed').map((d) => [d.from, d.to, d.reason])).toEqual(
      expect.arrayContaining([
        ['active', 'suspended', 'invoice overdue'],
        ['suspended', 'active', 'paid'],
      ]),
    );
    await provisioning!.kill('SIGTERM');
  }, 90_000);

  it.each(['database', 'credentials', 'instance', 'ready'])(
    'still reaches active with exactly one database and one instance when provisioning is SIGKILLed at the %s step',
    async (step) => {
      const crashing = await startProvisioning({ PROVISIONING_CRASH_AT: step });
      const t = await create(`Crash ${step}`);
      expect(await crashing.exited).toBe(-1); // killed by the signal, mid-job
      await startProvisioning();
      await until(t.id, 'active', 45_000);
      expect(await databasesOf(t.slug)).toEqual({ databases: 1, roles: 1 });
      expect(tenantProcesses(t.id)).toHaveLength(1);
      const up = await upstream(t.slug);
      expect(await (await fetch(`http://${up!.host}:${up!.port}/`)).text()).toContain(`Crash ${step}`);
      await provisioning!.kill('SIGTERM');
    },
    90_000,
  );

  it('leaves error with the reason when a step fails, and a retry succeeds', async () => {
    await startProvisioning({ TENANT_APP_COMMAND: `${process.execPath} -e process.exit(3)`, LOCAL_START_TIMEOUT_MS: '2000' });
    const t = await create('Broken', { database_strategy: 'shared' });
    const failed = await until(t.id, 'error', 45_000);
    expect(failed.error).toMatch(/instance/);
    expect(failed.operation).toMatchObject({ kind: 'provision', status: 'failed' });
    await provisioning!.kill('SIGTERM');

    await startProvisioning();
    await rpc.call(TenantsRpc.adminAction, { caller: admin, id: t.id, action: 'retry', reason: 'app template fixed' });
    const ok = await until(t.id, 'active', 45_000);
    expect(ok.history.map((h) => h.to)).toEqual(['pending', 'provisioning', 'error', 'provisioning', 'active']);
    expect(tenantProcesses(t.id)).toHaveLength(1);

    // Clean up the crash tenants and this one through the saga, proving deletion leaves nothing.
    for (const x of created.filter((c) => c.status !== 'deleted')) {
      const s = await status(x.id);
      if (s.status !== 'deleted' && s.status !== 'deleting') await rpc.call(TenantsRpc.delete, { caller: owner, id: x.id });
    }
    for (const x of created) {
      await until(x.id, 'deleted', 45_000);
      expect(tenantProcesses(x.id)).toEqual([]);
      expect(await databasesOf(x.slug)).toEqual({ databases: 0, roles: 0 });
    }
  }, 180_000);
});
