import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import type { Logger } from 'pino';
import { DataSource, LessThan, type EntityManager } from 'typeorm';
import {
  BackupsErrorCodes,
  callerUserId,
  EventTypes,
  isAdmin,
  type BackupTableCount,
  type BackupVerificationEventData,
  type DrillAccepted,
  type DrillBackupRequest,
  type DrillRefRequest,
  type DrillTableCheck,
  type DrillView,
} from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { EventOutbox } from '@saas/messaging';
import { Clock, runExclusive, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import { partKey } from '../backups/backup-runner.js';
import { Backup } from '../backups/backup.entity.js';
import { drillStatusUrl, toDrillView } from '../backups/backup.view.js';
import { BackupWorker, type LeasedJobs } from '../backups/backup-worker.js';
import { BackupsException, StepFailure } from '../backups/backups.exception.js';
import type { BackupsConfig } from '../config.js';
import { PostgresTools } from '../dumps/postgres-tools.js';
import { BACKUP_STORAGE, storedInput, type BackupStorage } from '../storage/backup-storage.js';
import { ArchiveCheck } from './archive-check.js';
import { RestoreDrill } from './restore-drill.entity.js';

const LOCK = 'backups.restore-drills';
const HOUR_MS = 3_600_000;

/** Test seam (NODE_ENV=test only): the process SIGKILLs itself at this step, to prove a dead drill's scratch database is dropped. */
const CRASH_AT = process.env.NODE_ENV === 'test' ? process.env.DRILL_CRASH_AT : undefined;

/**
 * Restore drills: a backup's archive is checked (checksums), its database restored into a scratch
 * database, its tables and row counts compared with those its manifest recorded at backup time, and
 * the scratch database dropped. Every BACKUP_DRILL_EVERY_HOURS (0: off) one replica, under an advisory
 * lock, queues a drill of each tenant's latest completed backup; an admin can queue one of any
 * completed backup (`request`). The backup worker runs them under a lease like backups and restores
 * (a drill whose process died is failed by whichever replica sees it, and its scratch database
 * dropped). The outcome is the drill's record (GET admin/backups/{id}/drills/{id}) and, on the
 * backup, `verified_at` and `restore_seconds` (the measured RTO), or `verification_error` and a
 * `backup.verification_failed` event.
 */
@Injectable()
export class RestoreDrills implements LeasedJobs, OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly ds: DataSource,
    private readonly check: ArchiveCheck,
    private readonly tools: PostgresTools,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
    private readonly worker: BackupWorker,
    @Inject(BACKUP_STORAGE) private readonly storage: BackupStorage,
    @Inject(SERVICE_CONFIG) private readonly config: BackupsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  private timer?: NodeJS.Timeout;
  private inFlight: Promise<unknown> | null = null;

  onModuleInit(): void {
    this.worker.register(this);
  }

  onApplicationBootstrap(): void {
    if (this.timer || this.config.BACKUP_DRILL_EVERY_HOURS === 0) return;
    this.timer = setInterval(() => {
      if (this.inFlight) return;
      this.inFlight = this.round().finally(() => {
        this.inFlight = null;
      });
    }, this.config.BACKUP_SCHEDULER_TICK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }

  /** Queues a drill of the next backup due one; null when none was due (or another replica held the round). */
  async round(): Promise<RestoreDrill | null> {
    try {
      const claim = await runExclusive(this.ds, LOCK, () => this.queueDue());
      if (claim.ran && claim.result) this.worker.kick();
      return claim.ran ? claim.result : null;
    } catch (err) {
      this.logger.warn({ err }, 'restore drill round failed; the next one retries');
      return null;
    }
  }

  private async queueDue(): Promise<RestoreDrill | null> {
    const now = this.clock.now();
    const dueBefore = new Date(now.getTime() - this.config.BACKUP_DRILL_EVERY_HOURS * HOUR_MS);
    const [row] = (await this.ds.query(
      `SELECT id FROM (
         SELECT DISTINCT ON (tenant_id) id, drilled_at FROM backups WHERE status = 'completed' ORDER BY tenant_id, completed_at DESC
       ) latest WHERE drilled_at IS NULL OR drilled_at < $1 ORDER BY drilled_at NULLS FIRST LIMIT 1`,
      [dueBefore],
    )) as Array<{ id: string }>;
    if (!row) return null;
    const backup = await this.ds.getRepository(Backup).findOneByOrFail({ id: row.id });
    return this.ds.transaction((tx) => this.enqueue(tx, backup, 'scheduled', null));
  }

  /** An admin's drill of one completed backup (any tenant's, a deleted one's final backup too), queued now. */
  async request(req: DrillBackupRequest): Promise<DrillAccepted> {
    if (!isAdmin(req.caller)) throw BackupsException.adminsOnly();
    const backup = await this.ds.getRepository(Backup).findOneBy({ id: req.backup_id });
    if (!backup) throw BackupsException.backupNotFound();
    if (backup.status !== 'completed') throw BackupsException.notRestorable(backup.status);
    const drill = await this.ds.transaction((tx) => this.enqueue(tx, backup, 'manual', callerUserId(req.caller)));
    this.worker.kick();
    const row = await this.ds.getRepository(RestoreDrill).findOneByOrFail({ id: drill.id });
    return { drill: toDrillView(row), status_url: drillStatusUrl(row) };
  }

  async get(req: DrillRefRequest): Promise<DrillView> {
    if (!isAdmin(req.caller)) throw BackupsException.adminsOnly();
    const drill = await this.ds.getRepository(RestoreDrill).findOneBy({ id: req.drill_id, backupId: req.backup_id });
    if (!drill) throw BackupsException.drillNotFound();
    return toDrillView(drill);
  }

  private async enqueue(tx: EntityManager, backup: Backup, trigger: RestoreDrill['trigger'], requestedBy: string | null): Promise<RestoreDrill> {
    // The schedule repeats a backup's drills every BACKUP_DRILL_EVERY_HOURS from the last, whoever asked for it.
    await tx.getRepository(Backup).update({ id: backup.id }, { drilledAt: this.clock.now() });
    const drill = tx.getRepository(RestoreDrill).create({
      id: randomUUID(),
      backupId: backup.id,
      tenantId: backup.tenantId,
      trigger,
      status: 'pending',
      step: null,
      scratchDatabase: null,
      restoreSeconds: null,
      tables: [],
      errorCode: null,
      errorStep: null,
      errorReason: null,
      requestedBy,
      leaseOwner: null,
      leaseUntil: null,
      startedAt: null,
      completedAt: null,
    });
    await tx.getRepository(RestoreDrill).insert(drill);
    return drill;
  }

  async claimOne(owner: string, leaseUntil: Date, signal: AbortSignal): Promise<{ done: Promise<void> } | false> {
    const claimed = await this.ds.transaction(async (tx) => {
      const drill = await tx
        .getRepository(RestoreDrill)
        .createQueryBuilder('d')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where(`d.status = 'pending'`)
        .orderBy('d.created_at', 'ASC')
        .limit(1)
        .getOne();
      if (!drill) return null;
      Object.assign(drill, { status: 'running', step: 'validating archive', startedAt: this.clock.now(), leaseOwner: owner, leaseUntil });
      await tx.getRepository(RestoreDrill).save(drill);
      return drill;
    });
    if (!claimed) return false;
    const lost = new AbortController();
    signal.addEventListener('abort', () => lost.abort(), { once: true });
    const done = this.run(claimed);
    this.worker.keepLeased('restore_drills', claimed.id, done, lost);
    return { done };
  }

  /** A drill whose process died: its scratch database is dropped and it is failed. */
  async sweepStale(now: Date): Promise<void> {
    const stale = await this.ds.getRepository(RestoreDrill).find({ where: { status: 'running', leaseUntil: LessThan(now) } });
    for (const drill of stale) {
      const took = await this.ds.query(`UPDATE restore_drills SET lease_owner = $1, lease_until = $2 WHERE id = $3 AND status = 'running' AND lease_until < $4`, [
        this.worker.owner,
        this.worker.leaseUntil(),
        drill.id,
        now,
      ]);
      if ((took as [unknown, number])[1] !== 1) continue;
      this.logger.warn({ drill_id: drill.id, step: drill.step }, 'failing a restore drill whose process died');
      await this.dropScratch(drill.scratchDatabase);
      await this.finish(drill, {
        failure: { step: drill.step, code: BackupsErrorCodes.BACKUP_VERIFICATION_FAILED, reason: `interrupted: the backups service stopped during "${drill.step ?? 'the drill'}"; its scratch database was dropped` },
        tables: drill.tables,
        restoreSeconds: null,
      });
    }
  }

  private async step(drill: RestoreDrill, step: string, extra: Partial<Pick<RestoreDrill, 'scratchDatabase'>> = {}): Promise<void> {
    drill.step = step;
    await this.ds.getRepository(RestoreDrill).update({ id: drill.id, status: 'running' }, { step, ...extra });
    if (CRASH_AT === step) process.kill(process.pid, 'SIGKILL');
  }

  /** Runs one claimed drill to its end; never throws (the outcome is the record). */
  private async run(drill: RestoreDrill): Promise<void> {
    const scratch = `drill_${drill.backupId.replace(/-/g, '').slice(0, 12)}_${randomBytes(3).toString('hex')}`;
    let created = false;
    let tables: DrillTableCheck[] = [];
    let restoreSeconds: number | null = null;
    let failure: { step: string | null; code: string; reason: string } | null = null;
    try {
      const backup = await this.ds.getRepository(Backup).findOneBy({ id: drill.backupId });
      if (!backup || backup.status !== 'completed') throw new StepFailure('validating archive', BackupsErrorCodes.BACKUP_NOT_RESTORABLE, 'the backup is gone or not completed');
      const manifest = await this.check.quick(backup, backup.tenantId);
      await this.check.full(backup, manifest);

      await this.step(drill, 'restoring into a scratch database', { scratchDatabase: scratch });
      await this.tools.query('postgres', `CREATE DATABASE ${pg.escapeIdentifier(scratch)}`);
      created = true;
      await this.tools.query('postgres', `REVOKE CONNECT, TEMPORARY ON DATABASE ${pg.escapeIdentifier(scratch)} FROM PUBLIC`);
      const started = this.clock.now().getTime();
      await this.tools.restore(await storedInput(this.storage, partKey(backup, 'database')), scratch, { noOwner: true, parallel: this.config.BACKUP_RESTORE_JOBS });
      restoreSeconds = (this.clock.now().getTime() - started) / 1000;

      // Backups from before counts were recorded are verified by the restore alone.
      if (manifest.tables) {
        await this.step(drill, 'comparing tables');
        tables = checks(manifest.tables, await this.tools.countTables(scratch, await this.tablesIn(scratch, manifest.tables)));
        const mismatch = describeMismatch(tables);
        if (mismatch) throw new StepFailure('comparing tables', BackupsErrorCodes.BACKUP_VERIFICATION_FAILED, mismatch);
      }
    } catch (err) {
      if (err instanceof StepFailure) failure = { step: err.step, code: err.code, reason: err.message };
      else if (err instanceof BackupsException && err.archiveProblem) failure = { step: drill.step, code: err.code, reason: `the backup cannot be restored: ${err.archiveProblem}` };
      else failure = { step: drill.step, code: err instanceof DomainException ? err.code : BackupsErrorCodes.BACKUP_VERIFICATION_FAILED, reason: (err as Error).message };
    } finally {
      // Dropped before the outcome is recorded: whoever sees it sees no scratch database left.
      if (created) await this.dropScratch(scratch);
    }
    await this.finish(drill, { failure, tables, restoreSeconds }).catch((err: Error) => this.logger.error({ err, drill_id: drill.id }, 'could not record a restore drill’s outcome'));
  }

  private async dropScratch(database: string | null): Promise<void> {
    if (!database) return;
    await this.tools
      .query('postgres', `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`)
      .catch((err: Error) => this.logger.warn({ err, database }, 'could not drop a drill’s scratch database'));
  }

  /** Records the outcome on the drill and on its backup, with `backup.verification_failed` on a failure, in one transaction. */
  private async finish(
    drill: RestoreDrill,
    outcome: { failure: { step: string | null; code: string; reason: string } | null; tables: DrillTableCheck[]; restoreSeconds: number | null },
  ): Promise<void> {
    const now = this.clock.now();
    const { failure } = outcome;
    await this.ds.transaction(async (tx) => {
      const row = await tx.getRepository(RestoreDrill).findOne({ where: { id: drill.id }, lock: { mode: 'pessimistic_write' } });
      if (row?.status !== 'running') return;
      Object.assign(row, {
        status: failure ? 'failed' : 'completed',
        step: null,
        tables: outcome.tables,
        restoreSeconds: outcome.restoreSeconds,
        errorCode: failure?.code ?? null,
        errorStep: failure?.step ?? null,
        errorReason: failure?.reason.slice(0, 2000) ?? null,
        completedAt: now,
        leaseOwner: null,
        leaseUntil: null,
      });
      await tx.getRepository(RestoreDrill).save(row);
      if (!failure) {
        await tx.getRepository(Backup).update({ id: drill.backupId }, { verifiedAt: now, restoreSeconds: outcome.restoreSeconds, verificationError: null });
        return;
      }
      const reason = `restore drill failed: ${failure.reason}`.slice(0, 2000);
      this.logger.warn({ backup_id: drill.backupId, tenant_id: drill.tenantId, drill_id: drill.id, reason }, 'restore drill failed');
      await tx.getRepository(Backup).update({ id: drill.backupId }, { verificationError: reason });
      const data: BackupVerificationEventData = { backup_id: drill.backupId, tenant_id: drill.tenantId, reason, drill_id: drill.id };
      await this.outbox.add(tx, { type: EventTypes.BackupVerificationFailed, tenantId: drill.tenantId, data });
    });
  }

  /** The manifest's tables plus any other table the restore produced in their schemas (both are compared). */
  private async tablesIn(database: string, recorded: BackupTableCount[]): Promise<Array<{ schema: string; table: string }>> {
    const schemas = [...new Set(recorded.map((t) => t.schema))];
    return this.tools.query<{ schema: string; table: string }>(
      database,
      `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = ANY($1) ORDER BY 1, 2`,
      [schemas],
    );
  }
}

/** Every table recorded or restored, with both counts (null: missing on that side), in the manifest's order then the extra ones. */
export function checks(recorded: BackupTableCount[], found: BackupTableCount[]): DrillTableCheck[] {
  const key = (t: { schema: string; table: string }) => `${t.schema}.${t.table}`;
  const restored = new Map(found.map((t) => [key(t), t]));
  const out: DrillTableCheck[] = recorded.map((t) => {
    const r = restored.get(key(t));
    restored.delete(key(t));
    return { schema: t.schema, table: t.table, recorded_rows: t.rows, restored_rows: r ? r.rows : null };
  });
  for (const extra of restored.values()) out.push({ schema: extra.schema, table: extra.table, recorded_rows: null, restored_rows: extra.rows });
  return out;
}

/** What differs between the recorded and the restored counts, or null when nothing does. */
export function describeMismatch(tables: DrillTableCheck[]): string | null {
  const problems = tables.flatMap((t) => {
    const name = `${t.schema}.${t.table}`;
    if (t.restored_rows === null) return [`table ${name} is missing`];
    if (t.recorded_rows === null) return [`table ${name} was not recorded`];
    return t.restored_rows === t.recorded_rows ? [] : [`table ${name} has ${t.restored_rows} rows, ${t.recorded_rows} recorded`];
  });
  return problems.length ? problems.join('; ') : null;
}
