import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ProvisioningRpc, type BackupFailure, type BackupManifest, type BackupPart, type BackupPartView, type VolumeArchiveResult } from '@saas/contracts';
import { retryTransient, transientKind } from '@saas/errors';
import { RpcClient } from '@saas/messaging';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { BackupsConfig } from '../config.js';
import type { ChildStream } from '../dumps/child-stream.js';
import { tarFiles } from '../dumps/file-archive.js';
import { digestStream, HashingCounter } from '../dumps/hashing.js';
import { PostgresTools } from '../dumps/postgres-tools.js';
import { BACKUP_STORAGE, type BackupStorage } from '../storage/backup-storage.js';
import { Backup, pendingBackup } from './backup.entity.js';
import { BackupLifecycle } from './backup-lifecycle.js';
import { RunFailure } from './backups.exception.js';

export const PART_FILES: Readonly<Record<BackupPart, string>> = Object.freeze({ database: 'database.dump', files: 'files.tar', manifest: 'manifest.json' });

export function partKey(backup: Pick<Backup, 'storagePrefix'>, part: BackupPart): string {
  return `${backup.storagePrefix}${PART_FILES[part]}`;
}

/** Test seam (NODE_ENV=test only): the process SIGKILLs itself at this step, to prove a crash leaves no usable half-backup. */
const CRASH_AT = process.env.NODE_ENV === 'test' ? process.env.BACKUP_CRASH_AT : undefined;

/**
 * Makes one backup: the tenant database (`pg_dump -Fc`), the app's files (tar), then the manifest
 * naming the sha256 and size of each — each streamed child → hash → storage, never held whole. Every
 * part is verified before the backup is `completed`: read back and its sha256 checked, or, on a
 * storage whose put is itself the proof (`putVerifies`: a local file written unchanged, fsynced and
 * renamed), its stored size checked against the bytes hashed. Anything that fails fails the backup
 * (naming the part, the step and why) and deletes whatever of it was stored.
 */
@Injectable()
export class BackupRunner {
  constructor(
    private readonly ds: DataSource,
    private readonly lifecycle: BackupLifecycle,
    private readonly rpc: RpcClient,
    private readonly tools: PostgresTools,
    @Inject(BACKUP_STORAGE) private readonly storage: BackupStorage,
    @Inject(SERVICE_CONFIG) private readonly config: BackupsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Runs a backup already `running` under this process's lease; resolves with it completed or failed. */
  async run(backup: Backup, signal: AbortSignal): Promise<Backup> {
    let current: { part: BackupPart | 'storage' | null; step: string } = { part: null, step: 'locating tenant data' };
    const step = async (part: BackupPart | 'storage' | null, name: string, progress: number) => {
      current = { part, step: name };
      await this.ds.getRepository(Backup).update({ id: backup.id, status: 'running' }, { step: name, progress });
      if (CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
    };
    try {
      // Provisioning restarting (a deletion, say) is waited out rather than failing the backup.
      const location = await retryTransient(() => this.rpc.call(ProvisioningRpc.internalTenantData, { tenant_id: backup.tenantId }), {
        deadlineMs: LOCATE_DEADLINE_MS,
        signal,
      });
      const server = await this.tools.serverVersion();
      const parts: BackupPartView[] = [];
      const omitted: NonNullable<BackupManifest['omitted']> = [];

      await step('database', 'dumping database', 10);
      const snapshot = await this.tools.openSnapshot(location.database);
      let tables;
      try {
        const counting = snapshot.count();
        counting.catch(() => undefined); // awaited below, after the dump
        parts.push(await this.storePart(backup, 'database', () => this.tools.dump(location.database, snapshot.id), signal));
        tables = await counting;
      } finally {
        await snapshot.close();
      }
      if (location.files) {
        const files = location.files;
        await step('files', 'archiving files', 50);
        parts.push(await this.storePart(backup, 'files', () => tarFiles(files.dir, files.exclude), signal));
      } else if (location.volume && !this.storage.presignPut) {
        omitted.push({ part: 'files', reason: this.volumeUnsupported() });
        this.logger.warn({ backup_id: backup.id, tenant_id: backup.tenantId, reason: omitted[0]!.reason }, 'backup without the tenant’s volume');
      } else if (location.volume) {
        await step('files', 'archiving volume', 50);
        parts.push(await this.archiveVolume(backup, this.storage.presignPut!.bind(this.storage)));
      }
      for (const part of parts) {
        await step(part.name, `verifying ${part.name}`, part.name === 'database' ? 70 : 80);
        await this.verifyPart(backup, part);
      }
      await step('manifest', 'writing manifest', 90);
      const manifest: BackupManifest = {
        format: 1,
        backup_id: backup.id,
        tenant_id: backup.tenantId,
        slug: location.slug,
        plan: location.plan,
        database_strategy: location.database.strategy,
        database: location.database.database,
        schema: location.database.schema,
        app_version: location.app_version,
        server_version: server.version,
        server_version_num: server.num,
        created_at: (backup.startedAt ?? backup.createdAt).toISOString(),
        parts,
        tables,
        ...(omitted.length ? { omitted } : {}),
      };
      const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
      const manifestPart = await this.storePart(backup, 'manifest', () => bufferSource(body), signal);
      await step('manifest', 'verifying manifest', 95);
      await this.verifyPart(backup, manifestPart);
      if (signal.aborted) throw new Error('the backup lost its lease (another replica took over)');

      return await this.ds.transaction(async (tx) => {
        const row = await tx.getRepository(Backup).findOne({ where: { id: backup.id }, lock: { mode: 'pessimistic_write' } });
        if (!row || row.status !== 'running') throw new Error('the backup was failed while it ran (its lease lapsed)');
        await this.lifecycle.complete(tx, row, { parts: [...parts, manifestPart], checksum: manifestPart.sha256 });
        return row;
      });
    } catch (err) {
      const failure = err instanceof RunFailure ? err.failure : { part: current.part, step: current.step, reason: (err as Error).message };
      this.logger.warn({ backup_id: backup.id, tenant_id: backup.tenantId, ...failure }, 'backup failed');
      // A blip (an RPC unanswered, Postgres restarting under pg_dump) is not a refusal.
      const transient = transientKind(err) !== null || transientKind(new Error(failure.reason)) !== null;
      return this.failAndClean(backup.id, failure, transient);
    }
  }

  /**
   * Fails a `pending`/`running` backup (if it still is) and deletes whatever of it was stored.
   * `transient`: it was interrupted or hit a blip, not refused. A tenant's final backup is then taken
   * again (a new backup of the same deletion, up to BACKUP_FINAL_ATTEMPTS): a deletion must not end
   * in `error` because the backups service restarted under it.
   */
  async failAndClean(backupId: string, failure: BackupFailure, transient = false): Promise<Backup> {
    const row = await this.ds.transaction(async (tx) => {
      const b = await tx.getRepository(Backup).findOne({ where: { id: backupId }, lock: { mode: 'pessimistic_write' } });
      if (!b) throw new Error(`backup ${backupId} vanished`);
      if (b.status === 'pending' || b.status === 'running') {
        const again = transient && b.type === 'pre_deletion' && b.operationId !== null && (await tx.getRepository(Backup).countBy({ operationId: b.operationId })) < this.config.BACKUP_FINAL_ATTEMPTS;
        await this.lifecycle.fail(tx, b, failure, again);
        if (again) await tx.getRepository(Backup).insert(pendingBackup(tx.getRepository(Backup), b.storage, b.tenantId, b.type, b));
      }
      return b;
    });
    // After the commit: the row already says `failed`, so nothing can pick these parts up meanwhile.
    await this.storage.deletePrefix(row.storagePrefix).catch((err: Error) => this.logger.warn({ err, backup_id: row.id }, 'could not delete a failed backup’s parts (retention retries)'));
    return row;
  }

  private async storePart(backup: Backup, part: BackupPart, source: () => ChildStream, signal: AbortSignal): Promise<BackupPartView> {
    const child = source();
    const abort = () => child.kill();
    signal.addEventListener('abort', abort, { once: true });
    const hashed = new HashingCounter();
    child.stdout.pipe(hashed);
    const put = this.storage.put(partKey(backup, part), hashed).catch((err: Error) => {
      child.kill();
      throw new RunFailure({ part: 'storage', step: `storing ${part}`, reason: `storage (${this.storage.kind}) refused the ${part} part: ${err.message}` });
    });
    try {
      const [stored, exited] = await Promise.allSettled([put, child.done]);
      // A refusing storage kills the child: its error is the cause, the child's exit the consequence.
      if (stored.status === 'rejected') throw stored.reason;
      if (exited.status === 'rejected') throw new RunFailure({ part, step: part === 'files' ? 'archiving files' : part === 'database' ? 'dumping database' : 'writing manifest', reason: (exited.reason as Error).message });
      if (stored.value.size !== hashed.bytes) {
        throw new RunFailure({ part, step: `storing ${part}`, reason: `stored ${stored.value.size} bytes of ${hashed.bytes}` });
      }
      return { name: part, size_bytes: hashed.bytes, sha256: hashed.digest() };
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  /** Why a storage cannot hold a runtime's volume archive (the manifest's `omitted` says it). */
  private volumeUnsupported(): string {
    return `the tenant's volume is uploaded by its runtime through a presigned URL, which ${this.storage.kind} storage${this.config.BACKUP_ENCRYPTION_KEYS ? ' with BACKUP_ENCRYPTION_KEYS' : ''} cannot give; use s3 storage without encryption keys (and the bucket's own encryption at rest) to back volumes up`;
  }

  /**
   * The files part of a tenant whose files are on a volume of the runtime's (Kubernetes): the runtime
   * archives it itself (a Job) straight into the storage through a presigned PUT, and says what it
   * uploaded; the part is then read back and checked like every other. Only a storage that can
   * presign (s3 without BACKUP_ENCRYPTION_KEYS: an upload from outside would not be encrypted) can
   * hold it; with any other the backup holds the database only, as before volumes were archived, and
   * its manifest says so (`omitted`), so a default installation (filesystem storage) keeps working.
   */
  private async archiveVolume(backup: Backup, presignPut: NonNullable<BackupStorage['presignPut']>): Promise<BackupPartView> {
    const key = partKey(backup, 'files');
    const timeoutMs = this.config.BACKUP_VOLUME_TIMEOUT_MS;
    const url = await presignPut(key, Math.ceil(timeoutMs / 1000) + 60);
    let archived: VolumeArchiveResult;
    try {
      archived = await this.rpc.call(ProvisioningRpc.internalVolumeArchive, { tenant_id: backup.tenantId, upload_url: url, timeout_ms: timeoutMs }, { timeoutMs: timeoutMs + 30_000 });
    } catch (err) {
      throw new RunFailure({ part: 'files', step: 'archiving volume', reason: `the runtime could not archive the tenant's volume: ${(err as Error).message}` });
    }
    const stored = await this.storage.stat(key);
    if (stored?.size !== archived.size_bytes) {
      throw new RunFailure({ part: 'files', step: 'archiving volume', reason: `the runtime uploaded ${archived.size_bytes} bytes, the storage holds ${stored?.size ?? 'nothing'}` });
    }
    return { name: 'files', size_bytes: archived.size_bytes, sha256: archived.sha256 };
  }

  /**
   * The stored part must be exactly what was written. Where the storage's put is itself the proof
   * (`putVerifies`), that it is there at its size; anywhere else it is read back and hashed.
   */
  private async verifyPart(backup: Backup, part: BackupPartView): Promise<void> {
    if (this.storage.putVerifies) {
      const stored = await this.storage.stat(partKey(backup, part.name));
      if (stored?.size !== part.size_bytes) {
        throw new RunFailure({ part: part.name, step: `verifying ${part.name}`, reason: `the stored ${part.name} part does not match what was written (${stored ? `${stored.size} of ${part.size_bytes} bytes` : 'it is missing'})` });
      }
      return;
    }
    const stored = await digestStream(await this.storage.get(partKey(backup, part.name)));
    if (stored.size !== part.size_bytes || stored.sha256 !== part.sha256) {
      throw new RunFailure({ part: part.name, step: `verifying ${part.name}`, reason: `the stored ${part.name} part does not match what was written (${stored.size} of ${part.size_bytes} bytes, sha256 ${stored.sha256.slice(0, 12)}…)` });
    }
  }
}

function bufferSource(body: Buffer): ChildStream {
  return { stdout: Readable.from([body]), done: Promise.resolve(), kill: () => undefined };
}

/** How long a backup waits for provisioning to say where the tenant's data is, while it is unreachable. */
const LOCATE_DEADLINE_MS = 30_000;
