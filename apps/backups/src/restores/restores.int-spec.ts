import { randomUUID } from 'node:crypto';
import { mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BackupsRpc, EventTypes, type CallerDto } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { readEvents, TEST_PG_ADMIN_URL, TestEnv, waitFor } from '@saas/testing';
import { FakeProvisioningModule, fakeProvisioning } from '../../test/fake-provisioning.module.js';
import { admin, makeTenant, rejection, run } from '../../test/tenant-fixtures.js';
import { AppModule } from '../app.module.js';
import { backupsConfigSchema } from '../config.js';
import { backupsEntities } from '../entities.js';
import { backupsMigrations } from '../migrations/index.js';

const caller: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['user'] };

describe('backups service: restores (real pg_dump/pg_restore, Postgres + NATS)', () => {
  let env: TestEnv;
  let svc: RunningService;
  let fake: RunningService;
  let rpc: RpcClient;
  let backupDir: string;
  let filesRoot: string;
  const sharedDb = `t_rs_shared_${run}`;
  const made: Array<{ name: string; database: string }> = [];

  beforeAll(async () => {
    env = await TestEnv.create('restores');
    backupDir = await mkdtemp(path.join(tmpdir(), 'restores-'));
    filesRoot = await mkdtemp(path.join(tmpdir(), 'restore-files-'));
    await admin(`CREATE DATABASE ${sharedDb}`);
    fake = await bootstrapService({ service: 'fake_provisioning', module: FakeProvisioningModule, entities: [], migrations: [], env: env.env() });
    svc = await bootstrapService({
      service: 'backups',
      module: AppModule,
      entities: backupsEntities,
      migrations: backupsMigrations,
      configSchema: backupsConfigSchema,
      env: env.env({ BACKUP_DIR: backupDir, BACKUP_POLL_MS: '50', TENANT_DATABASE_ADMIN_URL: TEST_PG_ADMIN_URL }),
    });
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 10_000);
  }, 60_000);

  afterAll(async () => {
    await svc?.shutdown();
    await fake?.shutdown();
    await env?.cleanup();
    const leftovers = await admin<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'restore\\_%' OR datname = ANY($1)`, [made.map((t) => t.database)]);
    for (const { datname } of leftovers) if (datname !== sharedDb) await admin(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    await admin(`DROP DATABASE IF EXISTS ${sharedDb} WITH (FORCE)`).catch(() => undefined);
    for (const t of made) await admin(`DROP ROLE IF EXISTS ${t.name}`).catch(() => undefined);
    await rm(backupDir, { recursive: true, force: true });
    await rm(filesRoot, { recursive: true, force: true });
  }, 60_000);

  const tenant = async (label: string, strategy: 'dedicated' | 'shared', rows = 30) => {
    const t = await makeTenant(label, strategy, sharedDb, filesRoot, rows);
    made.push(t);
    return t;
  };
  const notes = async (t: { name: string; database: string }) =>
    (await admin<{ n: number; s: string | null }>(`SELECT count(*)::int AS n, string_agg(body, ',' ORDER BY id) AS s FROM ${t.name}.notes`, [], t.database))[0]!;
  const backedUp = async (tenantId: string) => {
    const accepted = await rpc.call(BackupsRpc.create, { caller, tenant_id: tenantId });
    return waitFor(async () => {
      const b = await rpc.call(BackupsRpc.get, { caller, tenant_id: tenantId, backup_id: accepted.backup.id });
      return b.status === 'completed' ? b : b.status === 'failed' ? Promise.reject(new Error(`backup failed: ${b.error?.reason}`)) : null;
    }, 'backup completed', 30_000);
  };
  const restored = (tenantId: string, restoreId: string) =>
    waitFor(async () => {
      const r = await rpc.call(BackupsRpc.restoreGet, { caller, tenant_id: tenantId, restore_id: restoreId });
      return r.status === 'completed' || r.status === 'failed' ? r : null;
    }, `restore ${restoreId} finished`, 60_000);
  const powerOf = (tenantId: string) => fakeProvisioning.power.filter((p) => p.tenant_id === tenantId).map((p) => p.action);
  const change = async (t: { name: string; database: string; dir: string }) => {
    await admin(`DELETE FROM ${t.name}.notes WHERE id <= 10`, [], t.database);
    await admin(`INSERT INTO ${t.name}.notes VALUES (1000, 'written after the backup')`, [], t.database);
    await writeFile(path.join(t.dir, 'uploads', 'logo.txt'), 'a new logo');
    await writeFile(path.join(t.dir, 'uploads', 'later.txt'), 'made after the backup');
  };

  it.each([['dedicated'], ['shared']] as const)('restores a %s tenant to its backup: rows, files, with a safety backup first and the instance restarted', async (strategy) => {
    const t = await tenant(`${strategy.slice(0, 3)}`, strategy);
    const neighbour = strategy === 'shared' ? await tenant('nbr', 'shared', 7) : null;
    const before = await notes(t);
    const backup = await backedUp(t.tenantId);
    await change(t);
    const changed = await notes(t);
    expect(changed).not.toEqual(before);
    if (neighbour) await admin(`INSERT INTO ${neighbour.name}.notes VALUES (500, 'neighbour change')`, [], neighbour.database);

    const accepted = await rpc.call(BackupsRpc.restore, { caller, tenant_id: t.tenantId, backup_id: backup.id });
    expect(accepted.restore).toMatchObject({ tenant_id: t.tenantId, backup_id: backup.id, status: 'pending' });
    expect(accepted.status_url).toBe(`/api/v1/tenants/${t.tenantId}/restores/${accepted.restore.id}`);
    const done = await restored(t.tenantId, accepted.restore.id);
    expect(done).toMatchObject({ status: 'completed', progress: 100, error: null, rolled_back: false });

    expect(await notes(t)).toEqual(before);
    expect(await readFile(path.join(t.dir, 'uploads', 'logo.txt'), 'utf8')).toBe(`logo of ${t.name.split('_')[2]}`);
    await expect(readFile(path.join(t.dir, 'uploads', 'later.txt'))).rejects.toThrow(/ENOENT/);
    expect(await readFile(path.join(t.dir, 'instance.json'), 'utf8')).toBe('{"secret":"db-password"}');
    expect(powerOf(t.tenantId)).toEqual(['stop', 'start']);
    if (neighbour) expect((await notes(neighbour)).n).toBe(8);
    // The role still owns its data, and nothing of the swap is left behind.
    const [owner] = await admin<{ o: string }>(`SELECT pg_get_userbyid(nspowner) AS o FROM pg_namespace WHERE nspname = $1`, [t.name], t.database);
    expect(owner!.o).toBe(t.name);
    expect(await admin(`SELECT datname FROM pg_database WHERE datname LIKE 'restore\\_%'`)).toEqual([]);
    expect(await admin(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'restore\\_%'`, [], t.database)).toEqual([]);

    // The safety backup holds the data as it was just before the restore.
    const safety = await rpc.call(BackupsRpc.get, { caller, tenant_id: t.tenantId, backup_id: done.safety_backup_id! });
    expect(safety).toMatchObject({ type: 'pre_restore', status: 'completed' });
    expect(safety.expires_at).not.toBeNull();

    const events = await waitFor(async () => {
      const all = (await readEvents(await env.nats(), env.prefix, [EventTypes.RestoreStarted, EventTypes.RestoreCompleted])).filter((e) => (e.data as { restore_id: string }).restore_id === done.id);
      return all.length === 2 ? all : null;
    }, 'restore.started and restore.completed');
    expect(events[1]!.data).toMatchObject({ restore_id: done.id, backup_id: backup.id, tenant_id: t.tenantId, status: 'completed', safety_backup_id: safety.id });
  }, 90_000);

  it('refuses a truncated archive at once and a corrupted one before touching the tenant: BACKUP_CORRUPT', async () => {
    const t = await tenant('bad', 'dedicated');
    const truncated = await backedUp(t.tenantId);
    const corrupted = await backedUp(t.tenantId);
    await change(t);
    const changed = await notes(t);

    await truncate(path.join(backupDir, t.tenantId, truncated.id, 'database.dump'), 100);
    const refused = await rejection(rpc.call(BackupsRpc.restore, { caller, tenant_id: t.tenantId, backup_id: truncated.id }));
    expect(refused).toMatchObject({ code: 'BACKUP_CORRUPT', status: 422 });
    expect(refused.message).toMatch(/truncated/);

    // Same size, one byte flipped: only the checksum tells.
    const file = await open(path.join(backupDir, t.tenantId, corrupted.id, 'database.dump'), 'r+');
    try {
      const byte = Buffer.alloc(1);
      await file.read(byte, 0, 1, 200);
      byte[0] = byte[0]! ^ 0xff;
      await file.write(byte, 0, 1, 200);
    } finally {
      await file.close();
    }
    const accepted = await rpc.call(BackupsRpc.restore, { caller, tenant_id: t.tenantId, backup_id: corrupted.id });
    const done = await restored(t.tenantId, accepted.restore.id);
    expect(done).toMatchObject({ status: 'failed', rolled_back: false, safety_backup_id: null, error: { code: 'BACKUP_CORRUPT', step: 'validating archive' } });
    expect(done.error!.reason).toMatch(/checksum.*not touched/);
    expect(await notes(t)).toEqual(changed);
    expect(powerOf(t.tenantId)).toEqual([]);
  }, 90_000);

  it('rolls back to the data as it was when the restored instance does not come up, and says so', async () => {
    const t = await tenant('rbk', 'dedicated');
    const backup = await backedUp(t.tenantId);
    await change(t);
    const changed = await notes(t);
    fakeProvisioning.failStarts.set(t.tenantId, 1);

    const accepted = await rpc.call(BackupsRpc.restore, { caller, tenant_id: t.tenantId, backup_id: backup.id });
    const done = await restored(t.tenantId, accepted.restore.id);
    expect(done).toMatchObject({ status: 'failed', rolled_back: true, error: { step: 'checking health' } });
    expect(done.error!.reason).toMatch(/rolled back/);
    expect(await notes(t)).toEqual(changed);
    expect(await readFile(path.join(t.dir, 'uploads', 'later.txt'), 'utf8')).toBe('made after the backup');
    expect(await readFile(path.join(t.dir, 'uploads', 'logo.txt'), 'utf8')).toBe('a new logo');
    expect(powerOf(t.tenantId)).toEqual(['stop', 'start', 'stop', 'start']);
    expect(fakeProvisioning.instanceStatus.get(t.tenantId)).toBe('running');
    expect(await admin(`SELECT datname FROM pg_database WHERE datname LIKE 'restore\\_%'`)).toEqual([]);
    // The safety backup is kept.
    const safety = await rpc.call(BackupsRpc.get, { caller, tenant_id: t.tenantId, backup_id: done.safety_backup_id! });
    expect(safety.status).toBe('completed');
    const failed = await waitFor(
      async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.RestoreFailed])).find((e) => (e.data as { restore_id: string }).restore_id === done.id),
      'restore.failed',
    );
    expect(failed.data).toMatchObject({ status: 'failed', rolled_back: true, step: 'checking health' });
  }, 90_000);

  it('rolls back a dedicated restore whose pg_restore fails part-way (parallel jobs into the staged copy): the copy dropped, the tenant on its data', async () => {
    const t = await tenant('pgr', 'dedicated');
    // A table owned by a second role, which is gone by the time of the restore: pg_restore stops at its `OWNER TO`.
    const other = `${t.name}_x`;
    await admin(`CREATE ROLE ${other} NOLOGIN`);
    await admin(`CREATE TABLE ${t.name}.extra (id int); ALTER TABLE ${t.name}.extra OWNER TO ${other}`, [], t.database);
    const backup = await backedUp(t.tenantId);
    await admin(`DROP TABLE ${t.name}.extra`, [], t.database);
    await admin(`DROP ROLE ${other}`);
    await change(t);
    const changed = await notes(t);

    const accepted = await rpc.call(BackupsRpc.restore, { caller, tenant_id: t.tenantId, backup_id: backup.id });
    const done = await restored(t.tenantId, accepted.restore.id);
    expect(done).toMatchObject({ status: 'failed', rolled_back: true, error: { code: 'BACKUP_FAILED', step: 'restoring database' } });
    expect(done.error!.reason).toMatch(new RegExp(`pg_restore exited 1: .*role "${other}" does not exist.*; rolled back`, 's'));
    expect(await notes(t)).toEqual(changed);
    expect(await readFile(path.join(t.dir, 'uploads', 'later.txt'), 'utf8')).toBe('made after the backup');
    expect(powerOf(t.tenantId).at(-1)).toBe('start');
    expect(fakeProvisioning.instanceStatus.get(t.tenantId)).toBe('running');
    // Nothing of the partly restored copy is left.
    expect(await admin(`SELECT datname FROM pg_database WHERE datname LIKE 'restore\\_%'`)).toEqual([]);
  }, 90_000);

  it('answers 409 to a second restore or a backup deletion while one runs, and 404 for another tenant’s backup', async () => {
    const t = await tenant('busy', 'shared');
    const other = await tenant('busy2', 'shared');
    const backup = await backedUp(t.tenantId);
    const first = await rpc.call(BackupsRpc.restore, { caller, tenant_id: t.tenantId, backup_id: backup.id });
    expect(await rejection(rpc.call(BackupsRpc.restore, { caller, tenant_id: t.tenantId, backup_id: backup.id }))).toMatchObject({ code: 'RESTORE_IN_PROGRESS', status: 409 });
    expect(await rejection(rpc.call(BackupsRpc.delete, { caller, tenant_id: t.tenantId, backup_id: backup.id }))).toMatchObject({ code: 'RESTORE_IN_PROGRESS', status: 409 });
    expect(await rejection(rpc.call(BackupsRpc.restore, { caller, tenant_id: other.tenantId, backup_id: backup.id }))).toMatchObject({ code: 'BACKUP_NOT_FOUND', status: 404 });
    expect(await rejection(rpc.call(BackupsRpc.restoreGet, { caller, tenant_id: other.tenantId, restore_id: first.restore.id }))).toMatchObject({ code: 'RESTORE_NOT_FOUND', status: 404 });
    expect((await restored(t.tenantId, first.restore.id)).status).toBe('completed');
    // Once finished, the next restore is accepted.
    const second = await rpc.call(BackupsRpc.restore, { caller, tenant_id: t.tenantId, backup_id: backup.id });
    expect((await restored(t.tenantId, second.restore.id)).status).toBe('completed');
    const list = await rpc.call(BackupsRpc.list, { caller, tenant_id: t.tenantId, type: 'pre_restore' });
    expect(list.count).toBe(2);
  }, 120_000);
});
