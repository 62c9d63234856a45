import { randomUUID, createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BackupsRpc, EventTypes, type BackupManifest, type CallerDto } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { readEvents, TEST_PG_ADMIN_URL, TestEnv, waitFor } from '@saas/testing';
import { FakeProvisioningModule } from '../../test/fake-provisioning.module.js';
import { admin, makeTenant, rejection, run } from '../../test/tenant-fixtures.js';
import { AppModule } from '../app.module.js';
import { backupsConfigSchema } from '../config.js';
import { withDatabase } from '../dumps/postgres-tools.js';
import { backupsEntities } from '../entities.js';
import { backupsMigrations } from '../migrations/index.js';

const caller: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['user'] };

describe('backups service: backups (real pg_dump, tar, Postgres + NATS)', () => {
  let env: TestEnv;
  let svc: RunningService;
  let fake: RunningService;
  let rpc: RpcClient;
  let backupDir: string;
  let filesRoot: string;
  const sharedDb = `t_bk_shared_${run}`;
  const made: Array<{ name: string; database: string }> = [];

  beforeAll(async () => {
    env = await TestEnv.create('backups');
    backupDir = await mkdtemp(path.join(tmpdir(), 'backups-'));
    filesRoot = await mkdtemp(path.join(tmpdir(), 'tenant-files-'));
    await admin(`CREATE DATABASE ${sharedDb}`);
    fake = await bootstrapService({ service: 'fake_provisioning', module: FakeProvisioningModule, entities: [], migrations: [], env: env.env() });
    svc = await bootstrapService({
      service: 'backups',
      module: AppModule,
      entities: backupsEntities,
      migrations: backupsMigrations,
      configSchema: backupsConfigSchema,
      env: env.env({ BACKUP_DIR: backupDir, BACKUP_POLL_MS: '50', BACKUP_LEASE_MS: '1500', TENANT_DATABASE_ADMIN_URL: TEST_PG_ADMIN_URL }),
    });
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 10_000);
  }, 60_000);

  afterAll(async () => {
    await svc?.shutdown();
    await fake?.shutdown();
    await env?.cleanup();
    for (const t of made) {
      if (t.database !== sharedDb) await admin(`DROP DATABASE IF EXISTS ${t.database} WITH (FORCE)`).catch(() => undefined);
    }
    await admin(`DROP DATABASE IF EXISTS ${sharedDb} WITH (FORCE)`).catch(() => undefined);
    for (const t of made) await admin(`DROP ROLE IF EXISTS ${t.name}`).catch(() => undefined);
    await rm(backupDir, { recursive: true, force: true });
    await rm(filesRoot, { recursive: true, force: true });
  }, 60_000);

  const tenant = async (label: string, strategy: 'dedicated' | 'shared', rows = 50) => {
    const t = await makeTenant(label, strategy, sharedDb, filesRoot, rows);
    made.push(t);
    return t;
  };
  const get = (tenantId: string, backupId: string) => rpc.call(BackupsRpc.get, { caller, tenant_id: tenantId, backup_id: backupId });
  const finished = (tenantId: string, backupId: string) =>
    waitFor(async () => {
      const b = await get(tenantId, backupId);
      return b.status === 'completed' || b.status === 'failed' ? b : null;
    }, `backup ${backupId} finished`, 30_000);
  const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

  it('backs up a dedicated tenant: its database, its files and a manifest, each stored and checksummed', async () => {
    const t = await tenant('ded', 'dedicated', 120);
    const accepted = await rpc.call(BackupsRpc.create, { caller, tenant_id: t.tenantId, reason: 'before the upgrade' });
    expect(accepted.backup).toMatchObject({ tenant_id: t.tenantId, type: 'manual', status: 'pending', reason: 'before the upgrade', requested_by: caller.actor.id });
    expect(accepted.status_url).toBe(`/api/v1/tenants/${t.tenantId}/backups/${accepted.backup.id}`);

    const done = await finished(t.tenantId, accepted.backup.id);
    expect(done).toMatchObject({ status: 'completed', progress: 100, step: null, storage: 'filesystem', error: null, expires_at: null });
    expect(done.parts.map((p) => p.name)).toEqual(['database', 'files', 'manifest']);
    expect(done.size_bytes).toBe(done.parts.reduce((n, p) => n + p.size_bytes, 0));
    expect(done.duration_ms).toBeGreaterThanOrEqual(0);

    const folder = path.join(backupDir, t.tenantId, done.id);
    expect((await readdir(folder)).sort()).toEqual(['database.dump', 'files.tar', 'manifest.json']);
    for (const part of done.parts) expect(await sha256(path.join(folder, `${part.name === 'database' ? 'database.dump' : part.name === 'files' ? 'files.tar' : 'manifest.json'}`))).toBe(part.sha256);
    expect(done.checksum).toBe(done.parts.find((p) => p.name === 'manifest')!.sha256);

    const manifest = JSON.parse(await readFile(path.join(folder, 'manifest.json'), 'utf8')) as BackupManifest;
    expect(manifest).toMatchObject({ format: 1, backup_id: done.id, tenant_id: t.tenantId, slug: `bk-ded-${run}`, plan: 'standard', database_strategy: 'dedicated', app_version: 'tenant-app-0.1.0' });
    expect(manifest.server_version_num).toBeGreaterThanOrEqual(150000);
    expect(manifest.parts.map((p) => p.name)).toEqual(['database', 'files']);

    // The files part holds the app's files, never the runtime's state (credentials) or its logs.
    const listing = execFileSync('tar', ['-tf', path.join(folder, 'files.tar')]).toString();
    expect(listing).toContain('./uploads/logo.txt');
    expect(listing).not.toContain('instance.json');
    expect(listing).not.toContain('app.log');

    // The dump is a real custom-format archive: restored, the rows are the ones dumped.
    const scratch = `t_bk_scratch_${run}`;
    await admin(`CREATE DATABASE ${scratch}`);
    try {
      execFileSync('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${withDatabase(TEST_PG_ADMIN_URL, scratch)}`, path.join(folder, 'database.dump')]);
      const [count] = await admin<{ n: number; s: string }>(`SELECT count(*)::int AS n, string_agg(body, ',' ORDER BY id) AS s FROM ${t.name}.notes`, [], scratch);
      const [orig] = await admin<{ n: number; s: string }>(`SELECT count(*)::int AS n, string_agg(body, ',' ORDER BY id) AS s FROM ${t.name}.notes`, [], t.database);
      expect(count).toEqual(orig);
      expect(count!.n).toBe(120);
    } finally {
      await admin(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    }

    const events = await waitFor(async () => {
      const all = (await readEvents(await env.nats(), env.prefix, [EventTypes.BackupStarted, EventTypes.BackupCompleted])).filter((e) => (e.data as { backup_id: string }).backup_id === done.id);
      return all.length === 2 ? all : null;
    }, 'backup.started and backup.completed');
    expect(events.map((e) => e.type)).toEqual([EventTypes.BackupStarted, EventTypes.BackupCompleted]);
    expect(events[1]!.data).toMatchObject({ backup_id: done.id, tenant_id: t.tenantId, type: 'manual', status: 'completed', size_bytes: done.size_bytes, checksum: done.checksum, retention_days: null, expires_at: null });
    expect(events[1]!.tenant_id).toBe(t.tenantId);
  }, 60_000);

  it('backs up exactly a shared tenant’s schema, not its neighbours’', async () => {
    const a = await tenant('sha', 'shared', 10);
    const b = await tenant('shb', 'shared', 20);
    const accepted = await rpc.call(BackupsRpc.create, { caller, tenant_id: a.tenantId });
    const done = await finished(a.tenantId, accepted.backup.id);
    expect(done.status).toBe('completed');
    const listing = execFileSync('pg_restore', ['--list', path.join(backupDir, a.tenantId, done.id, 'database.dump')]).toString();
    expect(listing).toContain(a.name);
    expect(listing).not.toContain(b.name);
  }, 60_000);

  it('fails a backup whose dump fails, naming the part, the step and why, and keeps nothing of it', async () => {
    const t = await tenant('gone', 'dedicated', 5);
    await admin(`DROP DATABASE ${t.database} WITH (FORCE)`);
    const accepted = await rpc.call(BackupsRpc.create, { caller, tenant_id: t.tenantId });
    const done = await finished(t.tenantId, accepted.backup.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ part: 'database', step: 'dumping database' });
    // The dump's snapshot is opened first (the manifest's row counts are taken in it): it names the cause.
    expect(done.error!.reason).toMatch(/could not open a snapshot of database tenant_bk_gone_\w+ to dump: database "tenant_bk_gone_\w+" does not exist/);
    expect(done.parts).toEqual([]);
    // The parts go right after the row says `failed` (in that order, so nothing picks them up meanwhile).
    await waitFor(() => readdir(path.join(backupDir, t.tenantId, done.id)).then(() => false, (err: NodeJS.ErrnoException) => err.code === 'ENOENT'), 'the failed backup’s parts deleted', 10_000);
    const failed = await waitFor(
      async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.BackupFailed])).find((e) => (e.data as { backup_id: string }).backup_id === done.id),
      'backup.failed',
    );
    expect(failed.data).toMatchObject({ status: 'failed', part: 'database', step: 'dumping database' });
  }, 60_000);

  it('fails a backup whose process died mid-way once its lease lapses, and deletes its orphaned parts', async () => {
    const t = await tenant('crash', 'dedicated', 5);
    const id = randomUUID();
    const folder = path.join(backupDir, t.tenantId, id);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'database.dump.partial-deadbeef'), 'half a dump');
    const pgc = await env.pg();
    try {
      await pgc.query(
        `INSERT INTO backups.backups (id, tenant_id, type, status, progress, step, storage, storage_prefix, lease_owner, lease_until, started_at)
         VALUES ($1, $2, 'manual', 'running', 10, 'dumping database', 'filesystem', $3, 'dead-host:1:x', now() - interval '1 minute', now() - interval '2 minutes')`,
        [id, t.tenantId, `${t.tenantId}/${id}/`],
      );
    } finally {
      await pgc.end();
    }
    const done = await finished(t.tenantId, id);
    expect(done).toMatchObject({ status: 'failed', error: { part: 'database', step: 'dumping database' } });
    expect(done.error!.reason).toMatch(/interrupted/);
    // As above, the parts go right after the row says `failed`: the folder is gone soon after, not at once
    // (CI once read it emptied but not yet removed).
    await waitFor(() => readdir(folder).then(() => false, (err: NodeJS.ErrnoException) => err.code === 'ENOENT'), 'the orphaned parts deleted', 10_000);
    await expect(readdir(folder)).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it('refuses a tenant without data, lists with filters and pages, scopes ids by tenant, deletes only manual backups', async () => {
    const none = await rejection(rpc.call(BackupsRpc.create, { caller, tenant_id: randomUUID() }));
    expect(none).toMatchObject({ code: 'TENANT_NOT_BACKUPABLE', status: 409 });

    const t = await tenant('list', 'shared', 3);
    const other = await tenant('other', 'shared', 3);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await rpc.call(BackupsRpc.create, { caller, tenant_id: t.tenantId })).backup.id);
    for (const id of ids) expect((await finished(t.tenantId, id)).status).toBe('completed');

    const page1 = await rpc.call(BackupsRpc.list, { caller, tenant_id: t.tenantId, page: 1, page_size: 2 });
    expect(page1.count).toBe(3);
    expect(page1.results.map((b) => b.id)).toEqual([ids[2], ids[1]]);
    const filtered = await rpc.call(BackupsRpc.list, { caller, tenant_id: t.tenantId, page: 1, page_size: 20, status: 'failed' });
    expect(filtered.count).toBe(0);
    const future = await rpc.call(BackupsRpc.list, { caller, tenant_id: t.tenantId, page: 1, page_size: 20, date_from: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.count).toBe(0);
    const bad = await rejection(rpc.callRaw(BackupsRpc.list, { caller, tenant_id: t.tenantId, type: 'weekly' }));
    expect(bad).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });

    // Another tenant's backup id is not found, for reading and for deleting.
    expect(await rejection(get(other.tenantId, ids[0]!))).toMatchObject({ code: 'BACKUP_NOT_FOUND', status: 404 });
    expect(await rejection(rpc.call(BackupsRpc.delete, { caller, tenant_id: other.tenantId, backup_id: ids[0] }))).toMatchObject({ status: 404 });

    const deleted = await rpc.call(BackupsRpc.delete, { caller, tenant_id: t.tenantId, backup_id: ids[0] });
    expect(deleted.id).toBe(ids[0]);
    await expect(readdir(path.join(backupDir, t.tenantId, ids[0]!))).rejects.toThrow(/ENOENT/);
    expect(await rejection(get(t.tenantId, ids[0]!))).toMatchObject({ status: 404 });

    const pgc = await env.pg();
    try {
      await pgc.query(`UPDATE backups.backups SET type = 'pre_restore' WHERE id = $1`, [ids[1]]);
    } finally {
      await pgc.end();
    }
    expect(await rejection(rpc.call(BackupsRpc.delete, { caller, tenant_id: t.tenantId, backup_id: ids[1] }))).toMatchObject({ code: 'BACKUP_NOT_DELETABLE', status: 409 });
  }, 90_000);
});
