import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BackupsRpc, type BackupManifest, type CallerDto } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { TEST_PG_ADMIN_URL, TestEnv, waitFor } from '@saas/testing';
import { FakeProvisioningModule, fakeProvisioning } from '../../test/fake-provisioning.module.js';
import { startS3Server } from '../../test/s3-server.js';
import { admin, makeTenant } from '../../test/tenant-fixtures.js';
import { AppModule } from '../app.module.js';
import { backupsConfigSchema } from '../config.js';
import { backupsEntities } from '../entities.js';
import { backupsMigrations } from '../migrations/index.js';

const caller: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['user'] };

/**
 * A tenant whose files are on a volume of its runtime's (Kubernetes): the runtime archives it itself
 * (its Job, faked at provisioning's subject: it PUTs what the volume tars to) through a presigned URL
 * of the S3 storage (s3rver), and the backup reads the part back and checks it like any other. With
 * a storage that cannot presign, the backup holds the database only and its manifest says why.
 */
describe('backups service: a Kubernetes tenant’s volume, archived by its runtime into S3 and restored from it', () => {
  let env: TestEnv;
  const services: RunningService[] = [];
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let rpc: RpcClient;
  let filesRoot: string;
  let backupDir: string;
  const made: Array<{ name: string; database: string }> = [];

  const boot = async (storage: Record<string, string>) => {
    const svc = await bootstrapService({
      service: 'backups',
      module: AppModule,
      entities: backupsEntities,
      migrations: backupsMigrations,
      configSchema: backupsConfigSchema,
      env: env.env({ ...storage, BACKUP_POLL_MS: '50', BACKUP_VOLUME_TIMEOUT_MS: '10000', TENANT_DATABASE_ADMIN_URL: TEST_PG_ADMIN_URL }),
    });
    services.push(svc);
    return svc;
  };

  beforeAll(async () => {
    env = await TestEnv.create('backups_volume');
    s3 = await startS3Server('tenant-volumes');
    filesRoot = await mkdtemp(path.join(tmpdir(), 'volume-files-'));
    backupDir = await mkdtemp(path.join(tmpdir(), 'volume-backups-'));
    services.push(await bootstrapService({ service: 'fake_provisioning', module: FakeProvisioningModule, entities: [], migrations: [], env: env.env() }));
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 10_000);
  }, 60_000);

  afterAll(async () => {
    for (const s of services.reverse()) await s.shutdown();
    await s3?.close();
    await env?.cleanup();
    for (const t of made) await admin(`DROP DATABASE IF EXISTS ${t.database} WITH (FORCE)`).catch(() => undefined);
    for (const t of made) await admin(`DROP ROLE IF EXISTS ${t.name}`).catch(() => undefined);
    await rm(filesRoot, { recursive: true, force: true });
    await rm(backupDir, { recursive: true, force: true });
  }, 60_000);

  /** A dedicated tenant whose files are on a volume (files: null, volume: true), as the Kubernetes runtime reports it. */
  const kubeTenant = async (label: string) => {
    const t = await makeTenant(label, 'dedicated', 'unused', filesRoot, 20);
    made.push(t);
    const location = fakeProvisioning.locations.get(t.tenantId)!;
    fakeProvisioning.locations.set(t.tenantId, { ...location, runtime: 'kubernetes', files: null, volume: true });
    return t;
  };
  const finished = async (tenantId: string) => {
    const accepted = await rpc.call(BackupsRpc.create, { caller, tenant_id: tenantId });
    return waitFor(async () => {
      const b = await rpc.call(BackupsRpc.get, { caller, tenant_id: tenantId, backup_id: accepted.backup.id });
      return b.status === 'completed' || b.status === 'failed' ? b : null;
    }, 'backup finished', 30_000);
  };

  it('stores the volume the runtime uploads through a presigned URL as the files part, checked like any other, restores it through one; a failed Job fails the backup saying why', async () => {
    const svc = await boot({
      BACKUP_STORAGE: 's3',
      BACKUP_S3_BUCKET: 'tenant-volumes',
      BACKUP_S3_PREFIX: 'platform/',
      BACKUP_S3_ENDPOINT: s3.endpoint,
      BACKUP_S3_FORCE_PATH_STYLE: 'true',
      BACKUP_S3_ACCESS_KEY_ID: 'S3RVER',
      BACKUP_S3_SECRET_ACCESS_KEY: 'S3RVER',
    });
    const t = await kubeTenant('vol');
    const volume = randomBytes(300_000);
    fakeProvisioning.volumes.set(t.tenantId, volume);

    const backup = await finished(t.tenantId);
    expect(backup).toMatchObject({ status: 'completed', error: null });
    expect(backup.parts.map((p) => p.name)).toEqual(['database', 'files', 'manifest']);
    expect(backup.parts[1]).toEqual({ name: 'files', size_bytes: volume.length, sha256: createHash('sha256').update(volume).digest('hex') });
    // The runtime got a presigned PUT of exactly that part's key (no credentials), and the bucket holds what it sent.
    const url = new URL(fakeProvisioning.uploadUrls.at(-1)!);
    expect(url.pathname).toBe(`/tenant-volumes/platform/${t.tenantId}/${backup.id}/files.tar`);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('70');
    const stored = await readFile(path.join(s3.directory, 'tenant-volumes', 'platform', t.tenantId, backup.id, 'files.tar._S3rver_object'));
    expect(stored.equals(volume)).toBe(true);

    // Restored in place: the volume gets the backup's content back (the runtime's Job, from a presigned GET).
    fakeProvisioning.volumes.set(t.tenantId, randomBytes(1000));
    const restore = await rpc.call(BackupsRpc.restore, { caller, tenant_id: t.tenantId, backup_id: backup.id });
    const restored = await waitFor(async () => {
      const r = await rpc.call(BackupsRpc.restoreGet, { caller, tenant_id: t.tenantId, restore_id: restore.restore.id });
      return r.status === 'completed' || r.status === 'failed' ? r : null;
    }, 'restore finished', 60_000);
    expect(restored).toMatchObject({ status: 'completed', error: null });
    expect((fakeProvisioning.volumes.get(t.tenantId) as Buffer).equals(volume)).toBe(true);
    expect(new URL(fakeProvisioning.downloadUrls.at(-1)!).pathname).toBe(`/tenant-volumes/platform/${t.tenantId}/${backup.id}/files.tar`);
    // The safety backup holds the volume as it was just before.
    const safety = await rpc.call(BackupsRpc.get, { caller, tenant_id: t.tenantId, backup_id: restored.safety_backup_id! });
    expect(safety.parts.find((p) => p.name === 'files')!.size_bytes).toBe(1000);

    fakeProvisioning.volumes.set(t.tenantId, new Error('volume archive job tenant-bk-vol/volume-archive-1a2b3c4d failed: Job has reached the specified backoff limit (tar: /data: Permission denied)'));
    const failed = await finished(t.tenantId);
    expect(failed).toMatchObject({ status: 'failed', error: { part: 'files', step: 'archiving volume' } });
    expect(failed.error!.reason).toMatch(/^the runtime could not archive the tenant's volume: volume archive job .* failed: .*Permission denied\)$/);
    await svc.shutdown();
    services.splice(services.indexOf(svc), 1);
  }, 90_000);

  it('backs up only the database to a storage that cannot take a presigned upload, and its manifest says the volume was left out and why', async () => {
    await boot({ BACKUP_STORAGE: 'filesystem', BACKUP_DIR: backupDir });
    const t = await kubeTenant('volfs');
    fakeProvisioning.volumes.set(t.tenantId, randomBytes(10));
    const count = fakeProvisioning.uploadUrls.length;
    const backup = await finished(t.tenantId);
    expect(backup).toMatchObject({ status: 'completed', error: null });
    expect(backup.parts.map((p) => p.name)).toEqual(['database', 'manifest']);
    const manifest = JSON.parse(await readFile(path.join(backupDir, t.tenantId, backup.id, 'manifest.json'), 'utf8')) as BackupManifest;
    expect(manifest.omitted).toEqual([{ part: 'files', reason: expect.stringMatching(/presigned URL, which filesystem storage cannot give; use s3 storage without encryption keys/) }]);
    expect(fakeProvisioning.uploadUrls.length).toBe(count);
  }, 60_000);
});
