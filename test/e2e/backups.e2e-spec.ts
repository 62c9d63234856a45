import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { distPath, httpRequest, processesWithArgument, REPO_ROOT, startProcess, startService, TEST_PG_ADMIN_URL, TestEnv, waitFor, type HttpResponse, type ManagedProcess } from '@saas/testing';

/**
 * Backups as a customer uses them, through the gateway, with the real identity, tenants,
 * provisioning (local runtime) and backups services: the tenant's app counts visits in its own
 * database; back up, visit more, restore, and the app shows the count as it was at the backup.
 * Someone else gets 404 on the tenant's backups; the admin `backup` action works. A backup restored
 * into a new tenant (a clone) brings the source's rows into the new tenant's own database; an admin
 * recovers a deleted tenant from its final backup the same way, and drills a backup on demand.
 */
const runId = randomBytes(3).toString('hex');
const ADMIN = { email: 'ops@example.com', password: 'Ops-Password-Strong-42' };
const PASSWORD = 'Tenant-Owner-Password-42';

const tenantProcesses = (tenantId: string) => processesWithArgument(`--saas-tenant=${tenantId}`);

describe('backups through the gateway (e2e)', () => {
  let env: TestEnv;
  let runtimeDir: string;
  let backupDir: string;
  const procs: ManagedProcess[] = [];
  let baseUrl: string;
  let port: number;
  let adminToken: string;
  let ownerToken: string;
  let strangerToken: string;
  const tenantIds: string[] = [];

  const call = (method: string, url: string, token?: string, body?: object): Promise<HttpResponse> =>
    httpRequest(baseUrl, { method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(body ? { payload: body } : {}) });
  const status = async (id: string) => (await call('GET', `/api/v1/tenants/${id}/status`, ownerToken)).json() as { status: string; error: string | null };
  const until = (id: string, want: string, timeoutMs = 45_000) => waitFor(async () => ((await status(id)).status === want ? true : null), `tenant ${want}`, timeoutMs, 100);
  const visits = async (slug: string): Promise<number> => {
    const res = await httpRequest(`http://127.0.0.1:${port}`, { method: 'GET', url: '/', headers: { host: `${slug}.localhost:${port}` } });
    if (res.statusCode !== 200) throw new Error(`app answered ${res.statusCode}`);
    return Number(/<strong id="visits">(\d+)<\/strong>/.exec(res.body)![1]);
  };
  const followed = (url: string, token = ownerToken) =>
    waitFor(async () => {
      const body = (await call('GET', url, token)).json() as { status: string };
      return body.status === 'completed' || body.status === 'failed' ? body : null;
    }, `${url} finished`, 60_000, 100);
  /** SQL in a (dedicated) tenant's own database, as the platform's admin: the tenant's data as it is stored. */
  const inTenantDb = async <T extends pg.QueryResultRow>(slug: string, sql: string, params: unknown[] = []): Promise<T[]> => {
    const name = `tenant_${slug.replace(/-/g, '_')}`;
    const url = new URL(TEST_PG_ADMIN_URL);
    url.pathname = `/${name}`;
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    try {
      return (await c.query<T>(sql.replaceAll('$schema', `"${name}"`), params)).rows;
    } finally {
      await c.end();
    }
  };
  const paths = async (slug: string) => (await inTenantDb<{ path: string }>(slug, `SELECT path FROM $schema.visits WHERE path <> '/' ORDER BY id`)).map((r) => r.path);

  beforeAll(async () => {
    execFileSync(process.execPath, ['tools/build.mjs'], { cwd: REPO_ROOT, env: { ...process.env, BUILD_QUIET: '1' } });
    env = await TestEnv.create('backups_e2e');
    runtimeDir = mkdtempSync(path.join(tmpdir(), `backups-e2e-rt-${runId}-`));
    backupDir = mkdtempSync(path.join(tmpdir(), `backups-e2e-bk-${runId}-`));
    const base = 20_000 + Math.floor(Math.random() * 120) * 100;
    const common = env.env({
      LOCAL_RUNTIME_DIR: runtimeDir,
      LOCAL_PORT_RANGE: `${base}-${base + 99}`,
      SHARED_TENANT_DATABASE: `t_bshared_${runId}`,
      KEY_ENCRYPTION_SECRET: 'backups-e2e-key-encryption-secret-0123456789',
      BACKUP_DIR: backupDir,
      BACKUP_POLL_MS: '100',
    });
    procs.push(await startService('identity', { ...common, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }));
    procs.push(await startService('tenants', common));
    procs.push(await startService('provisioning', common));
    procs.push(await startService('backups', common));
    const gateway = startProcess('gateway', distPath('apps', 'gateway', 'src', 'main.js'), { ...common, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    procs.push(gateway);
    const ready = JSON.parse(await gateway.waitForOutput(/gateway ready/, 30_000)) as { url: string; port: number };
    baseUrl = ready.url;
    port = ready.port;

    adminToken = (await call('POST', '/api/v1/auth/login', undefined, ADMIN)).json().access_token;
    for (const who of ['owner', 'stranger']) {
      const email = `${who}-${runId}@example.com`;
      const created = await call('POST', '/api/v1/users', adminToken, { email, password: PASSWORD, full_name: who, tier: 'premium', email_verified: true });
      expect(created.statusCode).toBe(201);
      const token = (await call('POST', '/api/v1/auth/login', undefined, { email, password: PASSWORD })).json().access_token as string;
      if (who === 'owner') ownerToken = token;
      else strangerToken = token;
    }
  }, 120_000);

  afterAll(async () => {
    for (const p of [...procs].reverse()) await p.kill('SIGTERM');
    for (const id of tenantIds) for (const pid of tenantProcesses(id)) process.kill(pid, 'SIGKILL');
    const c = await env.pg();
    const dbs = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE 'restore\\_%'`, [`tenant_%${runId}%`]);
    for (const r of dbs.rows) await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    await c.query(`DROP DATABASE IF EXISTS "t_bshared_${runId}" WITH (FORCE)`);
    const roles = await c.query(`SELECT rolname FROM pg_roles WHERE rolname LIKE $1`, [`tenant_%${runId}%`]);
    for (const r of roles.rows) await c.query(`DROP OWNED BY "${r.rolname}"; DROP ROLE "${r.rolname}"`).catch(() => undefined);
    await c.end();
    rmSync(runtimeDir, { recursive: true, force: true });
    rmSync(backupDir, { recursive: true, force: true });
    const jsm = await jetstreamManager(await env.nats());
    await jsm.streams.delete(`KV_${env.prefix.replace(/[^A-Za-z0-9_-]/g, '_')}gateway_idempotency`).catch(() => undefined);
    await env.cleanup();
  }, 120_000);

  it('backs a tenant up, and a restore brings its app back to the data it had then', async () => {
    const slug = `bk-${runId}`;
    const create = await call('POST', '/api/v1/tenants', ownerToken, { name: 'Backed Up Co', subdomain: slug });
    expect(create.statusCode).toBe(202);
    const tenant = create.json() as { id: string };
    tenantIds.push(tenant.id);
    await until(tenant.id, 'active');
    await waitFor(async () => (await visits(slug).catch(() => 0)) > 0, 'the app serves', 15_000);
    await visits(slug);
    const atBackup = await visits(slug);

    const started = await call('POST', `/api/v1/tenants/${tenant.id}/backups`, ownerToken, { reason: 'before the experiment' });
    expect(started.statusCode).toBe(202);
    const accepted = started.json() as { backup: { id: string; status: string }; status_url: string };
    expect(accepted.backup.status).toBe('pending');
    expect(accepted.status_url).toBe(`/api/v1/tenants/${tenant.id}/backups/${accepted.backup.id}`);
    const backup = (await followed(accepted.status_url)) as { status: string; parts: Array<{ name: string }>; error: unknown };
    expect(backup).toMatchObject({ status: 'completed', error: null });
    expect(backup.parts.map((p) => p.name)).toEqual(['database', 'files', 'manifest']);

    // Data changes after the backup…
    for (let i = 0; i < 3; i++) await visits(slug);
    expect(await visits(slug)).toBe(atBackup + 4);

    // …and the restore brings the app back to the backup's data.
    const restoring = await call('POST', `/api/v1/tenants/${tenant.id}/backups/${accepted.backup.id}/restore`, ownerToken, {});
    expect(restoring.statusCode).toBe(202);
    const r = restoring.json() as { restore: { id: string }; status_url: string };
    const done = (await followed(r.status_url)) as { status: string; safety_backup_id: string | null; error: unknown };
    expect(done).toMatchObject({ status: 'completed', error: null });
    await waitFor(async () => (await visits(slug).catch(() => null)) !== null, 'the app serves again', 15_000);
    // The visit that fetched the page counts too.
    expect(await visits(slug)).toBe(atBackup + 2);

    const list = await call('GET', `/api/v1/tenants/${tenant.id}/backups?type=pre_restore`, ownerToken);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ count: 1, next: null, previous: null, results: [{ id: done.safety_backup_id, type: 'pre_restore', status: 'completed' }] });
    expect((await call('GET', `/api/v1/tenants/${tenant.id}/backups?status=nonsense`, ownerToken)).json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await call('POST', `/api/v1/tenants/${tenant.id}/backups`, ownerToken, { type: 'pre_restore' })).statusCode).toBe(400);
    expect((await call('POST', `/api/v1/tenants/${tenant.id}/backups`, ownerToken, { status: 'completed' })).statusCode).toBe(400);

    // Someone else's tenant and its backups are not found; deleting a safety backup is refused.
    for (const [method, url] of [
      ['GET', `/api/v1/tenants/${tenant.id}/backups`],
      ['POST', `/api/v1/tenants/${tenant.id}/backups`],
      ['GET', `/api/v1/tenants/${tenant.id}/backups/${accepted.backup.id}`],
      ['DELETE', `/api/v1/tenants/${tenant.id}/backups/${accepted.backup.id}`],
      ['POST', `/api/v1/tenants/${tenant.id}/backups/${accepted.backup.id}/restore`],
      ['GET', `/api/v1/tenants/${tenant.id}/restores/${r.restore.id}`],
    ] as const) {
      const res = await call(method, url, strangerToken, method === 'POST' ? {} : undefined);
      expect({ method, url, status: res.statusCode }).toEqual({ method, url, status: 404 });
    }
    expect((await call('DELETE', `/api/v1/tenants/${tenant.id}/backups/${done.safety_backup_id}`, ownerToken)).json()).toMatchObject({ code: 'BACKUP_NOT_DELETABLE', status: 409 });

    // The operator's `backup` action makes a manual backup too.
    const action = await call('POST', `/api/v1/admin/tenants/${tenant.id}/actions`, adminToken, { action: 'backup', reason: 'before maintenance' });
    expect(action.statusCode).toBe(202);
    const act = action.json() as { operation: { id: string; kind: string }; status_url: string };
    expect(act.operation.kind).toBe('backup');
    expect(await followed(act.status_url)).toMatchObject({ status: 'completed', type: 'manual', reason: 'before maintenance' });

    expect((await call('DELETE', `/api/v1/tenants/${tenant.id}/backups/${accepted.backup.id}`, ownerToken)).statusCode).toBe(204);
    expect((await call('GET', `/api/v1/tenants/${tenant.id}/backups/${accepted.backup.id}`, ownerToken)).statusCode).toBe(404);

    // Deleting the tenant takes a final backup first, kept after the tenant is gone.
    expect((await call('DELETE', `/api/v1/tenants/${tenant.id}`, ownerToken)).statusCode).toBe(202);
    await until(tenant.id, 'deleted', 60_000);
    const c = await env.pg();
    try {
      const finals = await c.query(`SELECT status, expires_at FROM backups.backups WHERE tenant_id = $1 AND type = 'pre_deletion'`, [tenant.id]);
      expect(finals.rows).toHaveLength(1);
      expect(finals.rows[0].status).toBe('completed');
      const days = (new Date(finals.rows[0].expires_at).getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29);
      expect(days).toBeLessThanOrEqual(30);
      // It was taken before deprovisioning: it holds the tenant's data.
      const [done] = (await c.query(`SELECT parts FROM backups.backups WHERE tenant_id = $1 AND type = 'pre_deletion'`, [tenant.id])).rows;
      expect((done.parts as Array<{ name: string; size_bytes: number }>).find((p) => p.name === 'database')!.size_bytes).toBeGreaterThan(1000);
    } finally {
      await c.end();
    }
    expect(tenantProcesses(tenant.id)).toEqual([]);
  }, 240_000);

  it('does not deprovision a tenant whose final backup fails: it waits in error with the reason, and a second delete completes', async () => {
    const slug = `fb-${runId}`;
    const tenant = (await call('POST', '/api/v1/tenants', ownerToken, { name: 'Final Backup Co', subdomain: slug, database_strategy: 'shared' })).json() as { id: string };
    tenantIds.push(tenant.id);
    await until(tenant.id, 'active');
    // Storage refuses this tenant's archives: a file where its folder would go.
    writeFileSync(path.join(backupDir, tenant.id), 'not a folder');

    expect((await call('DELETE', `/api/v1/tenants/${tenant.id}`, ownerToken)).statusCode).toBe(202);
    await until(tenant.id, 'error', 60_000);
    const s = await status(tenant.id);
    expect(s.error).toMatch(/final backup failed \(storage, storing database\).*not deprovisioned/);
    expect(tenantProcesses(tenant.id).length).toBeGreaterThan(0);
    expect(await visits(slug)).toBeGreaterThan(0);

    rmSync(path.join(backupDir, tenant.id));
    expect((await call('DELETE', `/api/v1/tenants/${tenant.id}`, ownerToken)).statusCode).toBe(202);
    await until(tenant.id, 'deleted', 60_000);
    expect(tenantProcesses(tenant.id)).toEqual([]);
  }, 180_000);

  it('lets an admin force the deletion of a tenant whose final backup keeps failing: with a reason, without the backup, audited', async () => {
    const slug = `ff-${runId}`;
    const tenant = (await call('POST', '/api/v1/tenants', ownerToken, { name: 'Forced Co', subdomain: slug, database_strategy: 'shared' })).json() as { id: string };
    tenantIds.push(tenant.id);
    await until(tenant.id, 'active');
    writeFileSync(path.join(backupDir, tenant.id), 'not a folder');
    expect((await call('DELETE', `/api/v1/tenants/${tenant.id}`, ownerToken)).statusCode).toBe(202);
    await until(tenant.id, 'error', 60_000);

    // Only admins, and only with a reason: it gives up the tenant's last copy of its data.
    expect((await call('POST', `/api/v1/admin/tenants/${tenant.id}/actions`, ownerToken, { action: 'force_delete', reason: 'x' })).statusCode).toBe(403);
    expect((await call('POST', `/api/v1/admin/tenants/${tenant.id}/actions`, adminToken, { action: 'force_delete' })).json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const forced = await call('POST', `/api/v1/admin/tenants/${tenant.id}/actions`, adminToken, { action: 'force_delete', reason: 'storage for this tenant is gone; customer agreed' });
    expect(forced.statusCode).toBe(202);
    expect(forced.json()).toMatchObject({ operation: { kind: 'delete' }, tenant: { status: 'deleting' } });
    await until(tenant.id, 'deleted', 60_000);
    expect(tenantProcesses(tenant.id)).toEqual([]);
    const c = await env.pg();
    try {
      const finals = await c.query(`SELECT status FROM backups.backups WHERE tenant_id = $1 AND type = 'pre_deletion'`, [tenant.id]);
      expect(finals.rows.map((r: { status: string }) => r.status)).toEqual(['failed']);
    } finally {
      await c.end();
    }
    // The audit log names who forced it and why.
    const audit = await waitFor(async () => {
      const res = (await call('GET', `/api/v1/audit/logs?tenant_id=${tenant.id}&page_size=100`, adminToken)).json() as { results?: Array<{ event_type: string; actor_type: string; new_values: unknown }> };
      return res.results?.find((e) => e.event_type === 'tenant.deletion_requested' && JSON.stringify(e.new_values).includes('force_delete')) ?? null;
    }, 'the forced deletion in the audit log', 20_000, 200);
    expect(audit.actor_type).toBe('user');
    expect(audit.new_values).toMatchObject({ reason: 'storage for this tenant is gone; customer agreed', params: { skip_final_backup: true } });
  }, 180_000);

  it('clones a tenant into a new one from its backup, source untouched; an admin recovers the deleted source from its final backup and drills it', async () => {
    const slug = `src-${runId}`;
    const source = (await call('POST', '/api/v1/tenants', ownerToken, { name: 'Source Co', subdomain: slug })).json() as { id: string };
    tenantIds.push(source.id);
    await until(source.id, 'active');
    await waitFor(async () => (await visits(slug).catch(() => 0)) > 0, 'the app serves', 15_000);
    await inTenantDb(slug, `INSERT INTO $schema.visits (path) VALUES ('/written-in-source')`);
    const backup = (await followed((await call('POST', `/api/v1/tenants/${source.id}/backups`, ownerToken, {})).json().status_url)) as { id: string; status: string };
    expect(backup.status).toBe('completed');
    await inTenantDb(slug, `INSERT INTO $schema.visits (path) VALUES ('/after-the-backup')`);
    const sourceRows = await inTenantDb<{ n: number }>(slug, `SELECT count(*)::int AS n FROM $schema.visits`);
    const restoreUrl = `/api/v1/tenants/${source.id}/backups/${backup.id}/restore`;

    // Someone else's tenant: not found. A clone needs its subdomain; a subdomain means a clone.
    expect((await call('POST', restoreUrl, strangerToken, { target: 'new_tenant', subdomain: `x-${runId}` })).statusCode).toBe(404);
    expect((await call('POST', restoreUrl, ownerToken, { target: 'new_tenant' })).json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await call('POST', restoreUrl, ownerToken, { subdomain: `x-${runId}` })).json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });

    const cloneSlug = `cl-${runId}`;
    const cloned = await call('POST', restoreUrl, ownerToken, { target: 'new_tenant', subdomain: cloneSlug });
    expect(cloned.statusCode).toBe(202);
    const accepted = cloned.json() as { restore: { id: string }; status_url: string; tenant: { id: string; slug: string; status: string } };
    tenantIds.push(accepted.tenant.id);
    expect(accepted.tenant).toMatchObject({ slug: cloneSlug, status: 'pending' });
    expect(accepted.restore).toMatchObject({ tenant_id: accepted.tenant.id, backup_id: backup.id, target: 'new_tenant', source_tenant_id: source.id, status: 'pending' });
    expect(accepted.status_url).toBe(`/api/v1/tenants/${accepted.tenant.id}/restores/${accepted.restore.id}`);
    expect(await followed(accepted.status_url)).toMatchObject({ status: 'completed', error: null });
    await until(accepted.tenant.id, 'active');
    const history = (await call('GET', `/api/v1/tenants/${accepted.tenant.id}/status`, ownerToken)).json() as { history: Array<{ to: string }> };
    expect(history.history.map((h) => h.to)).toEqual(['pending', 'provisioning', 'active', 'restoring', 'active']);

    // The new tenant's database holds the source's rows as they were at the backup, and its app serves them…
    expect(await paths(cloneSlug)).toEqual(['/written-in-source']);
    const atBackup = (await inTenantDb<{ n: number }>(cloneSlug, `SELECT count(*)::int AS n FROM $schema.visits`))[0]!.n;
    expect(atBackup).toBe(sourceRows[0]!.n - 1);
    await waitFor(async () => (await visits(cloneSlug).catch(() => null)) !== null, 'the clone serves', 15_000);
    // …while the source is untouched: its rows, its own app counting on.
    expect(await paths(slug)).toEqual(['/written-in-source', '/after-the-backup']);
    expect(await visits(slug)).toBe(sourceRows[0]!.n + 1);
    expect(await status(source.id)).toMatchObject({ status: 'active' });

    // Deleted, the source's backups are the admins' only: they list its final backup and restore it into a new tenant.
    expect((await call('DELETE', `/api/v1/tenants/${source.id}`, ownerToken)).statusCode).toBe(202);
    await until(source.id, 'deleted', 60_000);
    expect((await call('GET', `/api/v1/tenants/${source.id}/backups`, ownerToken)).json()).toMatchObject({ status: 404, code: 'TENANT_NOT_FOUND' });
    expect((await call('GET', '/api/v1/admin/backups?type=pre_deletion', ownerToken)).statusCode).toBe(403);
    const finals = (await call('GET', `/api/v1/admin/backups?type=pre_deletion&tenant_id=${source.id}`, adminToken)).json() as { count: number; results: Array<{ id: string; status: string }> };
    expect(finals).toMatchObject({ count: 1, results: [{ status: 'completed' }] });
    expect((await call('GET', `/api/v1/tenants/${source.id}/backups?type=pre_deletion`, adminToken)).json()).toMatchObject({ count: 1, results: [{ id: finals.results[0]!.id }] });
    const finalId = finals.results[0]!.id;
    const recoverSlug = `rec-${runId}`;
    const recovering = await call('POST', `/api/v1/tenants/${source.id}/backups/${finalId}/restore`, adminToken, { target: 'new_tenant', subdomain: recoverSlug, name: 'Source Co (recovered)' });
    expect(recovering.statusCode).toBe(202);
    const recovered = recovering.json() as { status_url: string; tenant: { id: string; name: string } };
    tenantIds.push(recovered.tenant.id);
    expect(recovered.tenant.name).toBe('Source Co (recovered)');
    expect(await followed(recovered.status_url, adminToken)).toMatchObject({ status: 'completed' });
    // The final backup was taken at the deletion: the rows written after the first backup are there too.
    expect(await paths(recoverSlug)).toEqual(['/written-in-source', '/after-the-backup']);

    // An admin drills the final backup now: restored into a scratch database, counts compared, dropped.
    expect((await call('POST', `/api/v1/admin/backups/${finalId}/drills`, ownerToken, {})).statusCode).toBe(403);
    const drilling = await call('POST', `/api/v1/admin/backups/${finalId}/drills`, adminToken, {});
    expect(drilling.statusCode).toBe(202);
    const drill = (await followed(drilling.json().status_url, adminToken)) as { status: string; restore_seconds: number; tables: Array<{ table: string; recorded_rows: number; restored_rows: number }> };
    expect(drill.status).toBe('completed');
    expect(drill.restore_seconds).toBeGreaterThan(0);
    expect(drill.tables).toEqual([{ schema: `tenant_${slug.replace(/-/g, '_')}`, table: 'visits', recorded_rows: sourceRows[0]!.n + 1, restored_rows: sourceRows[0]!.n + 1 }]);
    const c = await env.pg();
    try {
      expect((await c.query(`SELECT datname FROM pg_database WHERE datname LIKE 'drill\\_%' OR datname LIKE 'restore\\_%'`)).rows).toEqual([]);
    } finally {
      await c.end();
    }
  }, 300_000);
});
