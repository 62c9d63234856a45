import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BackupsRpc, EventTypes, type CallerDto } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { publishEvent, readEvents, REPO_ROOT, startService, TEST_PG_ADMIN_URL, TestEnv, waitFor, type ManagedProcess } from '@saas/testing';
import { FakeProvisioningModule, fakeProvisioning } from '../../test/fake-provisioning.module.js';
import { FakeTenantsModule, fakeTenants } from '../../test/fake-tenants.module.js';
import { admin, makeTenant, run } from '../../test/tenant-fixtures.js';

const caller: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['user'] };

/**
 * The backups service SIGKILLed (its own test seam, at a named step) in the middle of a backup and
 * of a restore, then started again: the backup ends `failed` with its stored parts gone and a retry
 * completes; the restore ends with the tenant on its old data and its instance running; a clone
 * (restore into a new tenant) ends failed with the new tenant as provisioned, never half the
 * source's; a restore drill ends failed with its scratch database dropped.
 */
describe('backups service killed mid-way (compiled service, SIGKILL)', () => {
  let env: TestEnv;
  let fake: RunningService;
  let tenants: RunningService;
  let rpc: RpcClient;
  let backupDir: string;
  let filesRoot: string;
  let proc: ManagedProcess | undefined;
  const sharedDb = `t_cr_shared_${run}`;
  const made: Array<{ name: string; database: string }> = [];

  const start = async (extra: Record<string, string> = {}) => {
    proc = await startService('backups', env.env({ BACKUP_DIR: backupDir, BACKUP_POLL_MS: '50', BACKUP_LEASE_MS: '1000', TENANT_DATABASE_ADMIN_URL: TEST_PG_ADMIN_URL, ...extra }));
    return proc;
  };

  beforeAll(async () => {
    execFileSync(process.execPath, ['tools/build.mjs'], { cwd: REPO_ROOT, env: { ...process.env, BUILD_QUIET: '1' } });
    env = await TestEnv.create('backups_crash');
    backupDir = await mkdtemp(path.join(tmpdir(), 'crash-'));
    filesRoot = await mkdtemp(path.join(tmpdir(), 'crash-files-'));
    await admin(`CREATE DATABASE ${sharedDb}`);
    fake = await bootstrapService({ service: 'fake_provisioning', module: FakeProvisioningModule, entities: [], migrations: [], env: env.env() });
    tenants = await bootstrapService({ service: 'fake_tenants', module: FakeTenantsModule, entities: [], migrations: [], env: env.env() });
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 10_000);
  }, 60_000);

  afterAll(async () => {
    await proc?.kill('SIGTERM');
    await tenants?.shutdown();
    await fake?.shutdown();
    await env?.cleanup();
    const dbs = await admin<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'restore\\_%' OR datname = ANY($1)`, [made.map((t) => t.database)]);
    for (const { datname } of dbs) await admin(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    await admin(`DROP DATABASE IF EXISTS ${sharedDb} WITH (FORCE)`).catch(() => undefined);
    for (const t of made) await admin(`DROP ROLE IF EXISTS ${t.name}`).catch(() => undefined);
    await rm(backupDir, { recursive: true, force: true });
    await rm(filesRoot, { recursive: true, force: true });
  }, 60_000);

  const getBackup = (tenantId: string, id: string) => rpc.call(BackupsRpc.get, { caller, tenant_id: tenantId, backup_id: id });
  const finished = (tenantId: string, id: string) =>
    waitFor(async () => {
      const b = await getBackup(tenantId, id);
      return b.status === 'completed' || b.status === 'failed' ? b : null;
    }, 'backup finished', 30_000, 100);

  it('a backup killed while archiving files ends failed, its stored dump deleted; a retry completes', async () => {
    const t = await makeTenant('kb', 'dedicated', sharedDb, filesRoot, 500);
    made.push(t);
    const dying = await start({ BACKUP_CRASH_AT: 'archiving files' });
    const accepted = await rpc.call(BackupsRpc.create, { caller, tenant_id: t.tenantId });
    expect(await dying.exited).toBe(-1);
    // The database part was stored before the kill: an orphan, never offered.
    expect(await readdir(path.join(backupDir, t.tenantId, accepted.backup.id))).toContain('database.dump');

    await start();
    const failed = await finished(t.tenantId, accepted.backup.id);
    expect(failed).toMatchObject({ status: 'failed', error: { step: 'archiving files', part: 'files' } });
    expect(failed.error!.reason).toMatch(/interrupted/);
    // Its parts go right after the row says `failed`.
    await waitFor(() => readdir(path.join(backupDir, t.tenantId, accepted.backup.id)).then(() => false, (err: NodeJS.ErrnoException) => err.code === 'ENOENT'), 'the orphaned parts deleted', 15_000);

    const retry = await rpc.call(BackupsRpc.create, { caller, tenant_id: t.tenantId });
    expect((await finished(t.tenantId, retry.backup.id)).status).toBe('completed');
    await proc!.kill('SIGTERM');
  }, 90_000);

  it('a final backup killed mid-way is taken again on restart: the deletion is not failed for it', async () => {
    const t = await makeTenant('kf', 'dedicated', sharedDb, filesRoot, 200);
    made.push(t);
    const dying = await start({ BACKUP_CRASH_AT: 'archiving files' });
    const operationId = randomUUID();
    await publishEvent(await env.nats(), env.prefix, { type: EventTypes.TenantDeletionRequested, tenantId: t.tenantId, data: { tenant_id: t.tenantId, name: 'Killed Final', slug: 'kf', plan: 'standard', database_strategy: 'dedicated', status: 'deleting', owner_id: caller.actor.id, operation_id: operationId, operation: 'delete' } });
    expect(await dying.exited).toBe(-1);

    await start();
    const finals = await waitFor(async () => {
      const page = await rpc.call(BackupsRpc.list, { caller, tenant_id: t.tenantId, type: 'pre_deletion', page: 1, page_size: 10 });
      return page.results.some((b) => b.status === 'completed') ? page.results : null;
    }, 'the final backup taken again and completed', 60_000, 200);
    expect(finals.map((b) => b.status).sort()).toEqual(['completed', 'failed']);
    // The interrupted one says so and that another is under way; the deletion goes on with the new one.
    const events = await readEvents(await env.nats(), env.prefix, [EventTypes.BackupFailed, EventTypes.BackupCompleted]);
    const mine = events.filter((e) => e.tenant_id === t.tenantId);
    expect(mine.map((e) => [e.type, e.data.will_retry ?? false, e.data.operation_id])).toEqual([
      [EventTypes.BackupFailed, true, operationId],
      [EventTypes.BackupCompleted, false, operationId],
    ]);
    await proc!.kill('SIGTERM');
  }, 120_000);

  it('a restore killed after the database swap is rolled back on restart: old data, instance running', async () => {
    const t = await makeTenant('kr', 'dedicated', sharedDb, filesRoot, 40);
    made.push(t);
    await start();
    const backup = await rpc.call(BackupsRpc.create, { caller, tenant_id: t.tenantId });
    expect((await finished(t.tenantId, backup.backup.id)).status).toBe('completed');
    await proc!.kill('SIGTERM');

    await admin(`DELETE FROM ${t.name}.notes WHERE id > 5`, [], t.database);
    await writeFile(path.join(t.dir, 'uploads', 'logo.txt'), 'changed logo');
    const dying = await start({ RESTORE_CRASH_AT: 'restoring files' });
    const accepted = await rpc.call(BackupsRpc.restore, { caller, tenant_id: t.tenantId, backup_id: backup.backup.id });
    expect(await dying.exited).toBe(-1);
    // Killed with the restored database swapped in and the instance stopped.
    expect(fakeProvisioning.instanceStatus.get(t.tenantId)).toBe('stopped');
    expect((await admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${t.name}.notes`, [], t.database))[0]!.n).toBe(40);

    await start();
    const done = await waitFor(async () => {
      const r = await rpc.call(BackupsRpc.restoreGet, { caller, tenant_id: t.tenantId, restore_id: accepted.restore.id });
      return r.status === 'failed' || r.status === 'completed' ? r : null;
    }, 'restore finished', 30_000, 100);
    expect(done).toMatchObject({ status: 'failed', rolled_back: true, error: { step: 'restoring files' } });
    expect(done.error!.reason).toMatch(/interrupted.*back on its data/);
    expect((await admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${t.name}.notes`, [], t.database))[0]!.n).toBe(5);
    expect(await readFile(path.join(t.dir, 'uploads', 'logo.txt'), 'utf8')).toBe('changed logo');
    expect(fakeProvisioning.instanceStatus.get(t.tenantId)).toBe('running');
    expect(await admin(`SELECT datname FROM pg_database WHERE datname LIKE 'restore\\_%'`)).toEqual([]);
    // The tenants service's restore saga leaves `restoring` on this event (tenants.int-spec): a started restore always ends.
    const ends = await waitFor(async () => {
      const all = (await readEvents(await env.nats(), env.prefix, [EventTypes.RestoreStarted, EventTypes.RestoreCompleted, EventTypes.RestoreFailed])).filter((e) => (e.data as { restore_id: string }).restore_id === accepted.restore.id);
      return all.some((e) => e.type === EventTypes.RestoreFailed) ? all : null;
    }, 'restore.failed published', 15_000);
    expect(ends.map((e) => [e.type, (e.data as { rolled_back?: boolean }).rolled_back ?? null])).toEqual([
      [EventTypes.RestoreStarted, null],
      [EventTypes.RestoreFailed, true],
    ]);
  }, 120_000);

  it('a restore drill killed after its restore into the scratch database ends failed on restart, the scratch database dropped', async () => {
    await proc?.kill('SIGTERM'); // the restore case's replica: one process at a time, or the healthy one claims the drill
    const t = await makeTenant('kd', 'dedicated', sharedDb, filesRoot, 30);
    made.push(t);
    await start();
    const backup = await rpc.call(BackupsRpc.create, { caller, tenant_id: t.tenantId });
    expect((await finished(t.tenantId, backup.backup.id)).status).toBe('completed');
    await proc!.kill('SIGTERM');

    const platformAdmin: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['admin'] };
    const scratch = () => admin<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`drill\\_${backup.backup.id.replace(/-/g, '').slice(0, 12)}%`]);
    const dying = await start({ DRILL_CRASH_AT: 'comparing tables' });
    const drill = await rpc.call(BackupsRpc.drill, { caller: platformAdmin, backup_id: backup.backup.id });
    expect(await dying.exited).toBe(-1);
    expect(await scratch()).toHaveLength(1);

    await start();
    const failed = await waitFor(async () => {
      const d = await rpc.call(BackupsRpc.drillGet, { caller: platformAdmin, backup_id: backup.backup.id, drill_id: drill.drill.id });
      return d.status === 'failed' || d.status === 'completed' ? d : null;
    }, 'drill finished', 30_000, 100);
    expect(failed).toMatchObject({ status: 'failed', error: { step: 'comparing tables', code: 'BACKUP_VERIFICATION_FAILED' } });
    expect(failed.error!.reason).toMatch(/^interrupted: .*its scratch database was dropped$/);
    expect(await scratch()).toEqual([]);
    expect((await getBackup(t.tenantId, backup.backup.id)).verification_error).toMatch(/^restore drill failed: interrupted/);
    await proc!.kill('SIGTERM');
  }, 120_000);

  it('a clone killed after its database swap is rolled back on restart: the new tenant as provisioned, never half the source’s, its instance running', async () => {
    await proc?.kill('SIGTERM');
    const source = await makeTenant('kcs', 'dedicated', sharedDb, filesRoot, 25);
    made.push(source);
    await start();
    const backup = await rpc.call(BackupsRpc.create, { caller, tenant_id: source.tenantId });
    expect((await finished(source.tenantId, backup.backup.id)).status).toBe('completed');
    await proc!.kill('SIGTERM');

    const dying = await start({ RESTORE_CRASH_AT: 'restoring files' });
    const accepted = await rpc.call(BackupsRpc.restore, { caller, tenant_id: source.tenantId, backup_id: backup.backup.id, target: 'new_tenant', subdomain: `kc-${run}` });
    const newId = accepted.tenant!.id;
    // What provisioning and the tenants saga do for the new tenant: its empty role, database and schema, then `tenant.ready`.
    const target = await makeTenant('kct', 'dedicated', sharedDb, filesRoot, null, newId);
    made.push(target);
    fakeTenants.tenants.get(newId)!.status = 'active';
    await publishEvent(await env.nats(), env.prefix, {
      type: EventTypes.TenantReady,
      tenantId: newId,
      data: { tenant_id: newId, name: 'Killed Clone', slug: `kc-${run}`, plan: 'standard', database_strategy: 'dedicated', status: 'active', owner_id: caller.actor.id },
    });
    expect(await dying.exited).toBe(-1);
    // Killed half-done: the source's rows swapped into the new tenant's database, its files not restored, its instance stopped.
    expect(fakeProvisioning.instanceStatus.get(newId)).toBe('stopped');
    expect((await admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${target.name}.notes`, [], target.database))[0]!.n).toBe(25);

    await start();
    const done = await waitFor(async () => {
      const r = await rpc.call(BackupsRpc.restoreGet, { caller, tenant_id: newId, restore_id: accepted.restore.id });
      return r.status === 'failed' || r.status === 'completed' ? r : null;
    }, 'clone finished', 30_000, 100);
    expect(done).toMatchObject({ status: 'failed', target: 'new_tenant', source_tenant_id: source.tenantId, rolled_back: true, error: { step: 'restoring files' } });
    expect(done.error!.reason).toMatch(/interrupted.*back on its data/);
    // The new tenant is as it was provisioned: its empty schema, none of the source's tables or files.
    expect(await admin(`SELECT tablename FROM pg_tables WHERE schemaname = $1`, [target.name], target.database)).toEqual([]);
    expect((await readdir(target.dir)).sort()).toEqual(['app.log', 'instance.json']);
    expect(fakeProvisioning.instanceStatus.get(newId)).toBe('running');
    expect(await admin(`SELECT datname FROM pg_database WHERE datname LIKE 'restore\\_%'`)).toEqual([]);
    // The source is untouched.
    expect((await admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${source.name}.notes`, [], source.database))[0]!.n).toBe(25);
    expect(fakeProvisioning.power.filter((p) => p.tenant_id === source.tenantId)).toEqual([]);
    await proc!.kill('SIGTERM');
  }, 120_000);
});
