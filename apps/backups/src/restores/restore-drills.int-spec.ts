import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BackupsRpc, EventTypes, type BackupManifest, type BackupView, type CallerDto, type DrillAccepted } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { readEvents, TEST_PG_ADMIN_URL, TestEnv, waitFor } from '@saas/testing';
import { FakeProvisioningModule } from '../../test/fake-provisioning.module.js';
import { admin, makeTenant, rejection, run } from '../../test/tenant-fixtures.js';
import { AppModule } from '../app.module.js';
import { backupsConfigSchema } from '../config.js';
import { backupsEntities } from '../entities.js';
import { backupsMigrations } from '../migrations/index.js';

const caller: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['user'] };
const platformAdmin: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['user', 'admin'] };

describe('backups service: restore drills (real pg_dump/pg_restore, Postgres + NATS)', () => {
  let env: TestEnv;
  const services: RunningService[] = [];
  let rpc: RpcClient;
  let backupDir: string;
  let filesRoot: string;
  const sharedDb = `t_dr_shared_${run}`;
  const made: Array<{ name: string; database: string }> = [];

  const boot = async (extra: Record<string, string> = {}) => {
    const svc = await bootstrapService({
      service: 'backups',
      module: AppModule,
      entities: backupsEntities,
      migrations: backupsMigrations,
      configSchema: backupsConfigSchema,
      env: env.env({ BACKUP_DIR: backupDir, BACKUP_POLL_MS: '50', BACKUP_SCHEDULER_TICK_MS: '100', TENANT_DATABASE_ADMIN_URL: TEST_PG_ADMIN_URL, ...extra }),
    });
    services.push(svc);
    return svc;
  };

  beforeAll(async () => {
    env = await TestEnv.create('drills');
    backupDir = await mkdtemp(path.join(tmpdir(), 'drills-'));
    filesRoot = await mkdtemp(path.join(tmpdir(), 'drill-files-'));
    await admin(`CREATE DATABASE ${sharedDb}`);
    services.push(await bootstrapService({ service: 'fake_provisioning', module: FakeProvisioningModule, entities: [], migrations: [], env: env.env() }));
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 10_000);
  }, 60_000);

  afterAll(async () => {
    for (const s of services.reverse()) await s.shutdown();
    await env?.cleanup();
    for (const t of made) if (t.database !== sharedDb) await admin(`DROP DATABASE IF EXISTS ${t.database} WITH (FORCE)`).catch(() => undefined);
    await admin(`DROP DATABASE IF EXISTS ${sharedDb} WITH (FORCE)`).catch(() => undefined);
    for (const t of made) await admin(`DROP ROLE IF EXISTS ${t.name}`).catch(() => undefined);
    await rm(backupDir, { recursive: true, force: true });
    await rm(filesRoot, { recursive: true, force: true });
  }, 60_000);

  const backedUp = async (tenantId: string) => {
    const accepted = await rpc.call(BackupsRpc.create, { caller, tenant_id: tenantId });
    return waitFor(async () => {
      const b = await rpc.call(BackupsRpc.get, { caller, tenant_id: tenantId, backup_id: accepted.backup.id });
      return b.status === 'completed' ? b : null;
    }, 'backup completed', 30_000);
  };
  const get = (b: BackupView) => rpc.call(BackupsRpc.get, { caller, tenant_id: b.tenant_id, backup_id: b.id });

  it('records table and row counts in the manifest, restores each tenant’s latest backup into a scratch database, verifies it, and reports a mismatch', async () => {
    const first = await boot(); // drills off (the default)
    const good = await makeTenant('drg', 'shared', sharedDb, filesRoot, 3);
    const bad = await makeTenant('drb', 'dedicated', sharedDb, filesRoot, 5);
    made.push(good, bad);
    const goodBackup = await backedUp(good.tenantId);
    const badBackup = await backedUp(bad.tenantId);
    expect(goodBackup).toMatchObject({ verified_at: null, restore_seconds: null, verification_error: null });

    // Counted in the dump's own snapshot, for exactly what the dump holds.
    const manifestFile = (b: BackupView) => path.join(backupDir, b.tenant_id, b.id, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile(goodBackup), 'utf8')) as BackupManifest;
    expect(manifest.tables).toEqual([{ schema: good.name, table: 'notes', rows: 3 }]);
    const badManifest = JSON.parse(await readFile(manifestFile(badBackup), 'utf8')) as BackupManifest;
    expect(badManifest.tables).toEqual([{ schema: bad.name, table: 'notes', rows: 5 }]);

    // A manifest that records other counts than the dump holds (re-signed, so only the drill can tell).
    const altered = Buffer.from(JSON.stringify({ ...badManifest, tables: [{ schema: bad.name, table: 'notes', rows: 6 }] }, null, 2));
    await writeFile(manifestFile(badBackup), altered);
    const c = await env.pg();
    await c.query(`UPDATE backups.backups SET checksum = $2 WHERE id = $1`, [badBackup.id, createHash('sha256').update(altered).digest('hex')]);
    await c.end();

    await first.shutdown();
    services.splice(services.indexOf(first), 1);
    await boot({ BACKUP_DRILL_EVERY_HOURS: '24' });

    const verified = await waitFor(async () => ((await get(goodBackup)).verified_at ? get(goodBackup) : null), 'good backup verified', 60_000);
    expect(verified.restore_seconds).toBeGreaterThan(0);
    expect(verified.verification_error).toBeNull();
    const failed = await waitFor(async () => ((await get(badBackup)).verification_error ? get(badBackup) : null), 'bad backup drilled', 60_000);
    expect(failed).toMatchObject({ verified_at: null, verification_error: `restore drill failed: table ${bad.name}.notes has 5 rows, 6 recorded` });
    const events = await waitFor(async () => {
      const all = (await readEvents(await env.nats(), env.prefix, [EventTypes.BackupVerificationFailed])).filter((e) => e.tenant_id === bad.tenantId);
      return all.length ? all : null;
    }, 'backup.verification_failed');
    expect(events.map((e) => e.data)).toEqual([{ backup_id: badBackup.id, tenant_id: bad.tenantId, reason: failed.verification_error, drill_id: expect.any(String) }]);

    // The scratch databases are gone, and a drilled backup is not drilled again within the interval.
    expect(await admin(`SELECT datname FROM pg_database WHERE datname LIKE ANY ($1)`, [[goodBackup, badBackup].map((b) => `drill\\_${b.id.replace(/-/g, '').slice(0, 12)}%`)])).toEqual([]);
    await new Promise((r) => setTimeout(r, 600));
    expect((await get(goodBackup)).verified_at).toBe(verified.verified_at);
  }, 180_000);

  it('runs a drill an admin asks for now: 202, then its outcome with every table’s counts, no scratch database left; a corrupted archive fails it saying why', async () => {
    // A replica without scheduled drills, so only the drills asked for here run.
    for (const s of services.splice(1)) await s.shutdown();
    await boot();
    const t = await makeTenant('dra', 'dedicated', sharedDb, filesRoot, 9);
    made.push(t);
    await admin(`CREATE TABLE ${t.name}.tags (name text PRIMARY KEY); INSERT INTO ${t.name}.tags VALUES ('a'), ('b'); ALTER TABLE ${t.name}.tags OWNER TO ${t.name}`, [], t.database);
    const good = await backedUp(t.tenantId);
    const corrupt = await backedUp(t.tenantId);
    const drilled = (accepted: DrillAccepted) =>
      waitFor(async () => {
        const d = await rpc.call(BackupsRpc.drillGet, { caller: platformAdmin, backup_id: accepted.drill.backup_id, drill_id: accepted.drill.id });
        return d.status === 'completed' || d.status === 'failed' ? d : null;
      }, 'drill finished', 60_000);
    const scratchLeft = () => admin(`SELECT datname FROM pg_database WHERE datname LIKE 'drill\\_%'`);

    // Admins only.
    expect(await rejection(rpc.call(BackupsRpc.drill, { caller, backup_id: good.id }))).toMatchObject({ status: 403 });
    expect(await rejection(rpc.call(BackupsRpc.drill, { caller: platformAdmin, backup_id: randomUUID() }))).toMatchObject({ code: 'BACKUP_NOT_FOUND', status: 404 });

    const accepted = await rpc.call(BackupsRpc.drill, { caller: platformAdmin, backup_id: good.id });
    expect(accepted.drill).toMatchObject({ backup_id: good.id, tenant_id: t.tenantId, trigger: 'manual', status: 'pending', requested_by: platformAdmin.actor.id });
    expect(accepted.status_url).toBe(`/api/v1/admin/backups/${good.id}/drills/${accepted.drill.id}`);
    const passed = await drilled(accepted);
    expect(passed).toMatchObject({ status: 'completed', error: null, step: null });
    expect(passed.restore_seconds).toBeGreaterThan(0);
    expect(passed.tables).toEqual([
      { schema: t.name, table: 'notes', recorded_rows: 9, restored_rows: 9 },
      { schema: t.name, table: 'tags', recorded_rows: 2, restored_rows: 2 },
    ]);
    expect(await scratchLeft()).toEqual([]);
    expect(await get(good)).toMatchObject({ verification_error: null, restore_seconds: passed.restore_seconds });
    expect((await get(good)).verified_at).not.toBeNull();

    // One byte of the stored dump flipped: the drill fails at validation, before any restore, and says so.
    const file = await open(path.join(backupDir, t.tenantId, corrupt.id, 'database.dump'), 'r+');
    try {
      const byte = Buffer.alloc(1);
      await file.read(byte, 0, 1, 300);
      byte[0] = byte[0]! ^ 0xff;
      await file.write(byte, 0, 1, 300);
    } finally {
      await file.close();
    }
    const bad = await rpc.call(BackupsRpc.drill, { caller: platformAdmin, backup_id: corrupt.id });
    const failed = await drilled(bad);
    expect(failed).toMatchObject({ status: 'failed', restore_seconds: null, tables: [], error: { code: 'BACKUP_CORRUPT', step: 'validating archive' } });
    expect(failed.error!.reason).toMatch(/its database part fails its checksum/);
    expect(await scratchLeft()).toEqual([]);
    expect((await get(corrupt)).verification_error).toBe('restore drill failed: the backup cannot be restored: its database part fails its checksum');
    const event = await waitFor(
      async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.BackupVerificationFailed])).find((e) => (e.data as { drill_id?: string }).drill_id === bad.drill.id),
      'backup.verification_failed of the drill',
    );
    expect(event.data).toMatchObject({ backup_id: corrupt.id, tenant_id: t.tenantId });
    expect(await rejection(rpc.call(BackupsRpc.drillGet, { caller: platformAdmin, backup_id: good.id, drill_id: bad.drill.id }))).toMatchObject({ code: 'DRILL_NOT_FOUND', status: 404 });
  }, 120_000);
});
