import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BackupsRpc, type CallerDto } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { TEST_PG_ADMIN_URL, TestEnv, waitFor } from '@saas/testing';
import { FakeProvisioningModule } from '../../test/fake-provisioning.module.js';
import { startS3Server } from '../../test/s3-server.js';
import { admin, makeTenant } from '../../test/tenant-fixtures.js';
import { AppModule } from '../app.module.js';
import { backupsConfigSchema } from '../config.js';
import { backupsEntities } from '../entities.js';
import { backupsMigrations } from '../migrations/index.js';

const caller: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['user'] };

/** The whole service on BACKUP_STORAGE=s3 against a real S3-compatible server (s3rver), encrypted at rest: back up, restore. */
describe('backups service on S3 storage, encrypted (s3rver on a random port)', () => {
  let env: TestEnv;
  let svc: RunningService;
  let fake: RunningService;
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let rpc: RpcClient;
  let filesRoot: string;
  const made: Array<{ name: string; database: string }> = [];

  beforeAll(async () => {
    env = await TestEnv.create('backups_s3');
    s3 = await startS3Server('tenant-backups');
    filesRoot = await mkdtemp(path.join(tmpdir(), 's3-files-'));
    fake = await bootstrapService({ service: 'fake_provisioning', module: FakeProvisioningModule, entities: [], migrations: [], env: env.env() });
    svc = await bootstrapService({
      service: 'backups',
      module: AppModule,
      entities: backupsEntities,
      migrations: backupsMigrations,
      configSchema: backupsConfigSchema,
      env: env.env({
        BACKUP_STORAGE: 's3',
        BACKUP_S3_BUCKET: 'tenant-backups',
        BACKUP_S3_PREFIX: 'platform/',
        BACKUP_S3_ENDPOINT: s3.endpoint,
        BACKUP_S3_FORCE_PATH_STYLE: 'true',
        BACKUP_S3_ACCESS_KEY_ID: 'S3RVER',
        BACKUP_S3_SECRET_ACCESS_KEY: 'S3RVER',
        BACKUP_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        BACKUP_POLL_MS: '50',
        TENANT_DATABASE_ADMIN_URL: TEST_PG_ADMIN_URL,
      }),
    });
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 10_000);
  }, 60_000);

  afterAll(async () => {
    await svc?.shutdown();
    await fake?.shutdown();
    await s3?.close();
    await env?.cleanup();
    for (const t of made) await admin(`DROP DATABASE IF EXISTS ${t.database} WITH (FORCE)`).catch(() => undefined);
    const leftovers = await admin<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'restore\\_%'`);
    for (const { datname } of leftovers) await admin(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    for (const t of made) await admin(`DROP ROLE IF EXISTS ${t.name}`).catch(() => undefined);
    await rm(filesRoot, { recursive: true, force: true });
  }, 60_000);

  it('stores a backup in the bucket and restores the tenant from it', async () => {
    const t = await makeTenant('s3', 'dedicated', 'unused', filesRoot, 200);
    made.push(t);
    const accepted = await rpc.call(BackupsRpc.create, { caller, tenant_id: t.tenantId });
    const backup = await waitFor(async () => {
      const b = await rpc.call(BackupsRpc.get, { caller, tenant_id: t.tenantId, backup_id: accepted.backup.id });
      return b.status === 'completed' || b.status === 'failed' ? b : null;
    }, 'backup finished', 30_000);
    expect(backup).toMatchObject({ status: 'completed', storage: 's3', error: null });
    // s3rver keeps objects as files under its directory: the three parts are in the bucket, under the prefix.
    const stored = (await readdir(path.join(s3.directory, 'tenant-backups', 'platform', t.tenantId, backup.id))).filter((n) => !n.startsWith('.') && !n.endsWith('._S3rver_metadata.json') && !n.endsWith('._S3rver_object.md5'));
    expect(stored.map((n) => n.replace(/\._S3rver_object$/, '')).sort()).toEqual(['database.dump', 'files.tar', 'manifest.json']);

    await admin(`DELETE FROM ${t.name}.notes WHERE id > 50`, [], t.database);
    const restore = await rpc.call(BackupsRpc.restore, { caller, tenant_id: t.tenantId, backup_id: backup.id });
    const done = await waitFor(async () => {
      const r = await rpc.call(BackupsRpc.restoreGet, { caller, tenant_id: t.tenantId, restore_id: restore.restore.id });
      return r.status === 'completed' || r.status === 'failed' ? r : null;
    }, 'restore finished', 60_000);
    expect(done).toMatchObject({ status: 'completed', error: null });
    expect((await admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${t.name}.notes`, [], t.database))[0]!.n).toBe(200);
  }, 90_000);
});
