import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import type { Logger } from 'pino';
import { DataSource, LessThan } from 'typeorm';
import {
  BackupsErrorCodes,
  ProvisioningRpc,
  type BackupManifest,
  type InstancePowerResult,
  type TenantDataLocation,
} from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { RpcClient } from '@saas/messaging';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import { Backup } from '../backups/backup.entity.js';
import { partKey } from '../backups/backup-runner.js';
import { BackupWorker, type LeasedJobs } from '../backups/backup-worker.js';
import { StepFailure } from '../backups/backups.exception.js';
import { BackupsService } from '../backups/backups.service.js';
import type { BackupsConfig } from '../config.js';
import { replaceFiles } from '../dumps/file-archive.js';
import { assertIdentifier, PostgresTools } from '../dumps/postgres-tools.js';
import { BACKUP_STORAGE, storedInput, type BackupStorage } from '../storage/backup-storage.js';
import { ArchiveCheck } from './archive-check.js';
import { Restore, type RestoreSwap } from './restore.entity.js';
import { RestoreLifecycle } from './restore-lifecycle.js';

const ident = (name: string) => pg.escapeIdentifier(assertIdentifier(name));

/** Test seam (NODE_ENV=test only): the process SIGKILLs itself at this step, to prove a crashed restore is put back. */
const CRASH_AT = process.env.NODE_ENV === 'test' ? process.env.RESTORE_CRASH_AT : undefined;

/**
 * Restores a tenant in place: validate the archive (tenant untouched if it fails) → take a
 * `pre_restore` safety backup → stop the instance → restore the dump into a fresh database
 * (`dedicated`; pg_restore with BACKUP_RESTORE_JOBS parallel jobs straight from a stored file: the
 * copy is unused until the swap and dropped if anything fails, so one transaction would buy nothing)
 * or, with the old schema set aside under another name, into the shared database (`shared`;
 * pg_restore in one transaction) → swap by rename → replace the app's files → start the
 * instance and check it is healthy → drop the old data. Any failure after the instance was stopped
 * puts the old data back (and the safety backup's files) and starts the instance again; so does the
 * replica that finds a restore whose process died. The swap's progress is recorded on the row.
 * A clone (`source_tenant_id`) runs the same steps on its new tenant, with the source's archive and
 * the dump rewritten to the new tenant's schema and role (`cloneDatabase`).
 */
@Injectable()
export class RestoreRunner implements LeasedJobs, OnModuleInit {
  constructor(
    private readonly ds: DataSource,
    private readonly lifecycle: RestoreLifecycle,
    private readonly worker: BackupWorker,
    private readonly backups: BackupsService,
    private readonly check: ArchiveCheck,
    private readonly tools: PostgresTools,
    private readonly rpc: RpcClient,
    @Inject(BACKUP_STORAGE) private readonly storage: BackupStorage,
    @Inject(SERVICE_CONFIG) private readonly config: BackupsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.worker.register(this);
  }

  async claimOne(owner: string, leaseUntil: Date, signal: AbortSignal): Promise<{ done: Promise<void> } | false> {
    const claimed = await this.ds.transaction(async (tx) => {
      const restore = await tx
        .getRepository(Restore)
        .createQueryBuilder('r')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where(`r.status = 'pending' AND NOT r.waiting_for_tenant`)
        .orderBy('r.created_at', 'ASC')
        .limit(1)
        .getOne();
      if (!restore) return null;
      await this.lifecycle.start(tx, restore, { owner, until: leaseUntil });
      return restore;
    });
    if (!claimed) return false;
    const lost = new AbortController();
    signal.addEventListener('abort', () => lost.abort(), { once: true });
    const done = this.run(claimed, owner, lost.signal);
    this.worker.keepLeased('restores', claimed.id, done, lost);
    return { done };
  }

  /** A restore whose process died: its data is put back as it was, then it is failed. */
  async sweepStale(now: Date): Promise<void> {
    const stale = await this.ds.getRepository(Restore).find({ where: { status: 'running', leaseUntil: LessThan(now) } });
    for (const restore of stale) {
      // Claim the recovery: only one replica may roll back.
      const took = await this.ds.query(`UPDATE restores SET lease_owner = $1, lease_until = $2 WHERE id = $3 AND status = 'running' AND lease_until < $4`, [
        this.worker.owner,
        this.worker.leaseUntil(),
        restore.id,
        now,
      ]);
      if ((took as [unknown, number])[1] !== 1) continue;
      this.logger.warn({ restore_id: restore.id, step: restore.step }, 'rolling back a restore whose process died');
      const rolledBack = await this.rollback(restore).then(
        () => true,
        (err: Error) => {
          this.logger.error({ err, restore_id: restore.id }, 'rollback of an interrupted restore failed');
          return false;
        },
      );
      await this.finishFailed(restore.id, {
        code: BackupsErrorCodes.BACKUP_FAILED,
        step: restore.step,
        reason: `interrupted: the backups service stopped during "${restore.step ?? 'restore'}"; the tenant ${rolledBack ? 'is back on its data as it was' : 'could not be put back automatically'}`,
        rolledBack,
      });
    }
  }

  private async step(restore: Restore, name: string, progress: number): Promise<void> {
    restore.step = name;
    await this.ds.getRepository(Restore).update({ id: restore.id, status: 'running' }, { step: name, progress });
    // Where a restore spends its time (the backups benchmark times its database step from these lines).
    this.logger.info({ restore_id: restore.id, tenant_id: restore.tenantId, step: name }, 'restore step');
    if (CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
  }

  private async saveSwap(restore: Restore, swap: RestoreSwap): Promise<void> {
    restore.swap = swap;
    await this.ds.getRepository(Restore).update({ id: restore.id }, { swap: swap as never });
  }

  async run(restore: Restore, owner: string, signal: AbortSignal): Promise<void> {
    let stopped = false;
    try {
      // A clone's backup is its source tenant's.
      const backupOf = restore.sourceTenantId ?? restore.tenantId;
      const backup = await this.ds.getRepository(Backup).findOneBy({ id: restore.backupId, tenantId: backupOf });
      if (!backup || backup.status !== 'completed') throw new StepFailure('validating archive', BackupsErrorCodes.BACKUP_CORRUPT, 'the backup is gone or not completed');

      await this.step(restore, 'validating archive', 5);
      const manifest = await this.validate(backup, backupOf);
      const location = await this.backups.locate(restore.tenantId);

      await this.step(restore, 'taking safety backup', 15);
      const safety = await this.backups.startInline(restore.tenantId, 'pre_restore', { reason: `before restore ${restore.id}`, restoreId: restore.id }, { owner, until: this.worker.leaseUntil() });
      restore.safetyBackupId = safety.id;
      await this.ds.getRepository(Restore).update({ id: restore.id }, { safetyBackupId: safety.id });
      const safe = await this.worker.runLeased(safety, signal);
      if (safe.status !== 'completed') throw new StepFailure('taking safety backup', BackupsErrorCodes.BACKUP_FAILED, `the safety backup failed (${safe.errorStep ?? 'unknown step'}: ${safe.errorReason ?? 'unknown'}); the tenant was not touched`);

      await this.step(restore, 'stopping instance', 30);
      stopped = true;
      await this.power(restore.tenantId, 'stop');

      await this.step(restore, 'restoring database', 40);
      if (restore.sourceTenantId) await this.cloneDatabase(restore, backup, manifest, location);
      else await this.restoreDatabase(restore, backup, location);

      if ((location.files || location.volume) && manifest.parts.some((p) => p.name === 'files')) {
        await this.step(restore, location.files ? 'restoring files' : 'restoring volume', 70);
        await this.saveSwap(restore, { ...restore.swap!, filesReplaced: true });
        await this.putFiles(location, backup);
      }

      await this.step(restore, 'starting instance', 80);
      await this.startHealthy(restore.tenantId);

      await this.step(restore, 'cleaning up', 95);
      await this.dropPrevious(restore.swap!);
      await this.ds.transaction(async (tx) => {
        const row = await tx.getRepository(Restore).findOne({ where: { id: restore.id }, lock: { mode: 'pessimistic_write' } });
        if (!row || row.status !== 'running') return;
        await this.lifecycle.complete(tx, row);
      });
    } catch (err) {
      const step = err instanceof StepFailure ? err.step : restore.step;
      const code = err instanceof StepFailure ? err.code : err instanceof DomainException ? err.code : BackupsErrorCodes.BACKUP_FAILED;
      const reason = (err as Error).message;
      this.logger.warn({ restore_id: restore.id, tenant_id: restore.tenantId, step, reason }, 'restore failed; rolling back');
      let rolledBack = false;
      if (stopped) {
        rolledBack = await this.rollback(restore).then(
          () => true,
          (rollbackErr: Error) => {
            this.logger.error({ err: rollbackErr, restore_id: restore.id }, 'rollback failed');
            return false;
          },
        );
      }
      await this.finishFailed(restore.id, {
        code,
        step,
        reason: stopped ? `${reason}; ${rolledBack ? 'rolled back: the tenant is on its data as it was' : 'the rollback failed too: an operator must restore the safety backup'}` : `${reason}; the tenant was not touched`,
        rolledBack,
      });
    }
  }

  private async finishFailed(id: string, failure: { code: string; step: string | null; reason: string; rolledBack: boolean }): Promise<void> {
    await this.ds.transaction(async (tx) => {
      const row = await tx.getRepository(Restore).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row || (row.status !== 'running' && row.status !== 'pending')) return;
      await this.lifecycle.fail(tx, row, failure);
    });
  }

  private async validate(backup: Backup, tenantId: string): Promise<BackupManifest> {
    try {
      const manifest = await this.check.quick(backup, tenantId);
      await this.check.full(backup, manifest);
      return manifest;
    } catch (err) {
      if (err instanceof DomainException) throw new StepFailure('validating archive', err.code, err.message);
      throw err;
    }
  }

  private async power(tenantId: string, action: 'stop' | 'start'): Promise<InstancePowerResult> {
    return this.rpc.call(ProvisioningRpc.internalInstancePower, { tenant_id: tenantId, action }, { timeoutMs: this.config.RESTORE_HEALTH_TIMEOUT_MS });
  }

  private async startHealthy(tenantId: string): Promise<void> {
    const started = await this.power(tenantId, 'start');
    if (started.status !== 'running') throw new StepFailure('checking health', BackupsErrorCodes.BACKUP_FAILED, `the instance did not come back healthy on the restored data (it is ${started.status})`);
  }

  private async terminate(database: string, role?: string): Promise<void> {
    await this.tools.query('postgres', `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() ${role ? 'AND usename = $2' : ''}`, role ? [database, role] : [database]);
  }

  private async restoreDatabase(restore: Restore, backup: Backup, location: TenantDataLocation): Promise<void> {
    const { strategy, database, schema, role } = location.database;
    const tag = restore.id.replace(/-/g, '').slice(0, 16);
    if (strategy === 'dedicated') {
      const swap: RestoreSwap = { strategy, database, schema, previous: `restore_prev_${tag}`, staged: `restore_new_${tag}`, swapped: false, filesReplaced: false };
      await this.saveSwap(restore, swap);
      await this.tools.query('postgres', `CREATE DATABASE ${ident(swap.staged!)} OWNER ${ident(role)}`);
      await this.tools.query('postgres', `REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(swap.staged!)} FROM PUBLIC`);
      // A fresh database nothing uses until the swap, dropped by the rollback if this fails: parallel jobs.
      await this.tools.restore(await storedInput(this.storage, partKey(backup, 'database')), swap.staged!, { parallel: this.config.BACKUP_RESTORE_JOBS });
      // The swap: two renames, recorded first so a crash between them is put back.
      await this.saveSwap(restore, { ...swap, swapped: true });
      await this.terminate(database);
      await this.tools.query('postgres', `ALTER DATABASE ${ident(database)} RENAME TO ${ident(swap.previous!)}`);
      await this.tools.query('postgres', `ALTER DATABASE ${ident(swap.staged!)} RENAME TO ${ident(database)}`);
    } else {
      const swap: RestoreSwap = { strategy, database, schema, previous: `restore_prev_${tag}`, staged: null, swapped: true, filesReplaced: false };
      await this.saveSwap(restore, swap);
      await this.terminate(database, role);
      await this.tools.query(database, `ALTER SCHEMA ${ident(schema)} RENAME TO ${ident(swap.previous!)}`);
      // One transaction: the schema is there whole, or not at all.
      await this.tools.restore(await storedInput(this.storage, partKey(backup, 'database')), database);
    }
  }

  /**
   * A clone: the dump is restored apart, into a database of its own (`staged`) as the new tenant's
   * role (so every object is that role's, whatever the source's role was or whether it still exists),
   * and its schema renamed to the new tenant's. `dedicated`: that database is swapped in by rename, as
   * in place. `shared`: the new tenant's schema is set aside and the staged one copied into the shared
   * database in one transaction (pg_dump | pg_restore), then the staged database dropped.
   */
  private async cloneDatabase(restore: Restore, backup: Backup, manifest: BackupManifest, location: TenantDataLocation): Promise<void> {
    const { strategy, database, schema, role } = location.database;
    const tag = restore.id.replace(/-/g, '').slice(0, 16);
    const swap: RestoreSwap = { strategy, database, schema, previous: `restore_prev_${tag}`, staged: `restore_new_${tag}`, swapped: false, filesReplaced: false };
    const staged = swap.staged!;
    await this.saveSwap(restore, swap);
    await this.tools.query('postgres', `CREATE DATABASE ${ident(staged)} OWNER ${ident(role)}`);
    await this.tools.query('postgres', `REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(staged)} FROM PUBLIC`);
    await this.tools.restore(await storedInput(this.storage, partKey(backup, 'database')), staged, { noOwner: true, role, parallel: this.config.BACKUP_RESTORE_JOBS });
    if (manifest.schema !== schema) await this.tools.query(staged, `ALTER SCHEMA ${ident(manifest.schema)} RENAME TO ${ident(schema)}`);
    // As provisioning leaves a tenant database: nobody but its owner in `public`.
    await this.tools.query(staged, 'REVOKE ALL ON SCHEMA public FROM PUBLIC');
    await this.saveSwap(restore, { ...swap, swapped: true });
    if (strategy === 'dedicated') {
      await this.terminate(database);
      await this.tools.query('postgres', `ALTER DATABASE ${ident(database)} RENAME TO ${ident(swap.previous!)}`);
      await this.tools.query('postgres', `ALTER DATABASE ${ident(staged)} RENAME TO ${ident(database)}`);
    } else {
      await this.terminate(database, role);
      await this.tools.query(database, `ALTER SCHEMA ${ident(schema)} RENAME TO ${ident(swap.previous!)}`);
      await this.tools.copySchema(staged, schema, database);
      await this.tools.query('postgres', `DROP DATABASE IF EXISTS ${ident(staged)} WITH (FORCE)`);
    }
  }

  /** Puts the tenant back on its data as it was before this restore, and its instance running. Idempotent. */
  private async rollback(restore: Restore): Promise<void> {
    const current = await this.ds.getRepository(Restore).findOneByOrFail({ id: restore.id });
    const swap = current.swap;
    await this.power(restore.tenantId, 'stop').catch(() => undefined);
    if (swap) {
      if (swap.strategy === 'dedicated') {
        const names = new Set((await this.tools.query<{ datname: string }>('postgres', 'SELECT datname FROM pg_database')).map((r) => r.datname));
        if (swap.previous && names.has(swap.previous)) {
          // The old database is set aside: whatever holds the tenant's name now is the restored copy.
          if (names.has(swap.database)) {
            await this.terminate(swap.database);
            await this.tools.query('postgres', `DROP DATABASE ${ident(swap.database)} WITH (FORCE)`);
          }
          await this.tools.query('postgres', `ALTER DATABASE ${ident(swap.previous)} RENAME TO ${ident(swap.database)}`);
        }
      } else if (swap.previous) {
        const [set] = await this.tools.query<{ n: number }>(swap.database, 'SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [swap.previous]);
        if (set!.n === 1) {
          await this.tools.query(swap.database, `DROP SCHEMA IF EXISTS ${ident(swap.schema)} CASCADE`);
          await this.tools.query(swap.database, `ALTER SCHEMA ${ident(swap.previous)} RENAME TO ${ident(swap.schema)}`);
        }
      }
      // A copy still being built (a clone's, for either strategy) is dropped.
      if (swap.staged) await this.tools.query('postgres', `DROP DATABASE IF EXISTS ${ident(swap.staged)} WITH (FORCE)`);
      if (swap.filesReplaced && current.safetyBackupId) {
        const safety = await this.ds.getRepository(Backup).findOneBy({ id: current.safetyBackupId });
        const location = await this.backups.locate(restore.tenantId);
        if (safety?.status === 'completed' && safety.parts.some((p) => p.name === 'files')) await this.putFiles(location, safety);
      }
    }
    await this.startHealthy(restore.tenantId);
  }

  /**
   * The app's files as `backup` has them: unpacked into the tenant's directory (local runtime), or
   * put back onto its volume by the runtime (Kubernetes: a Job downloading a presigned GET of the
   * part and checking its sha256 first). The instance is stopped meanwhile.
   */
  private async putFiles(location: TenantDataLocation, backup: Backup): Promise<void> {
    if (location.files) {
      await replaceFiles(location.files.dir, location.files.exclude, await this.storage.get(partKey(backup, 'files')));
      return;
    }
    if (!location.volume) return;
    const part = backup.parts.find((p) => p.name === 'files')!;
    if (!this.storage.presignGet) throw new StepFailure('restoring volume', BackupsErrorCodes.BACKUP_FAILED, `the tenant's volume is restored by its runtime from a presigned URL, which ${this.storage.kind} storage cannot give`);
    const timeoutMs = this.config.BACKUP_VOLUME_TIMEOUT_MS;
    const url = await this.storage.presignGet(partKey(backup, 'files'), Math.ceil(timeoutMs / 1000) + 60);
    try {
      await this.rpc.call(ProvisioningRpc.internalVolumeRestore, { tenant_id: location.tenant_id, download_url: url, sha256: part.sha256, timeout_ms: timeoutMs }, { timeoutMs: timeoutMs + 30_000 });
    } catch (err) {
      throw new StepFailure('restoring volume', BackupsErrorCodes.BACKUP_FAILED, `the runtime could not restore the tenant's volume: ${(err as Error).message}`);
    }
  }

  private async dropPrevious(swap: RestoreSwap): Promise<void> {
    if (!swap.previous) return;
    if (swap.strategy === 'dedicated') await this.tools.query('postgres', `DROP DATABASE IF EXISTS ${ident(swap.previous)} WITH (FORCE)`);
    else await this.tools.query(swap.database, `DROP SCHEMA IF EXISTS ${ident(swap.previous)} CASCADE`);
  }
}
