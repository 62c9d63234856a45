import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { EventTypes, type BackupTableCount, type BackupVerificationEventData } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { Clock, runExclusive, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import { partKey } from '../backups/backup-runner.js';
import { Backup } from '../backups/backup.entity.js';
import type { BackupsConfig } from '../config.js';
import { PostgresTools } from '../dumps/postgres-tools.js';
import { BACKUP_STORAGE, type BackupStorage } from '../storage/backup-storage.js';
import { ArchiveCheck } from './archive-check.js';

const LOCK = 'backups.restore-drills';
const HOUR_MS = 3_600_000;

/**
 * Restore drills: every BACKUP_DRILL_EVERY_HOURS (0: off) each tenant's latest completed backup is
 * checked (checksums), its database restored into a scratch database, its tables and row counts compared
 * with those its manifest recorded at backup time, and the scratch database dropped. The backup records
 * `verified_at` and `restore_seconds` (the measured RTO), or `verification_error` and a
 * `backup.verification_failed` event. Claimed under an advisory lock (one replica per round), drilled
 * outside it, one at a time per replica.
 */
@Injectable()
export class RestoreDrills implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly ds: DataSource,
    private readonly check: ArchiveCheck,
    private readonly tools: PostgresTools,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
    @Inject(BACKUP_STORAGE) private readonly storage: BackupStorage,
    @Inject(SERVICE_CONFIG) private readonly config: BackupsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  private timer?: NodeJS.Timeout;
  private inFlight: Promise<unknown> | null = null;

  onApplicationBootstrap(): void {
    if (this.timer || this.config.BACKUP_DRILL_EVERY_HOURS === 0) return;
    this.timer = setInterval(() => {
      if (this.inFlight) return; // one drill at a time on this replica
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

  /** Claims the next due backup and drills it; null when none was due (or another replica held the round). */
  async round(): Promise<Backup | null> {
    try {
      const claim = await runExclusive(this.ds, LOCK, () => this.claim());
      if (!claim.ran || !claim.result) return null;
      return await this.drill(claim.result);
    } catch (err) {
      this.logger.warn({ err }, 'restore drill round failed; the next one retries');
      return null;
    }
  }

  private async claim(): Promise<Backup | null> {
    const now = this.clock.now();
    const dueBefore = new Date(now.getTime() - this.config.BACKUP_DRILL_EVERY_HOURS * HOUR_MS);
    const [row] = (await this.ds.query(
      `SELECT id FROM (
         SELECT DISTINCT ON (tenant_id) id, drilled_at FROM backups WHERE status = 'completed' ORDER BY tenant_id, completed_at DESC
       ) latest WHERE drilled_at IS NULL OR drilled_at < $1 ORDER BY drilled_at NULLS FIRST LIMIT 1`,
      [dueBefore],
    )) as Array<{ id: string }>;
    if (!row) return null;
    await this.ds.getRepository(Backup).update({ id: row.id }, { drilledAt: now });
    return this.ds.getRepository(Backup).findOneBy({ id: row.id });
  }

  /** Drills one completed backup now (also for tests); records and returns the outcome on the backup. */
  async drill(backup: Backup): Promise<Backup> {
    const scratch = `drill_${backup.id.replace(/-/g, '').slice(0, 12)}_${randomBytes(3).toString('hex')}`;
    let created = false;
    let outcome: { restoreSeconds: number } | { reason: string };
    try {
      const manifest = await this.check.quick(backup, backup.tenantId);
      await this.check.full(backup, manifest);
      await this.tools.query('postgres', `CREATE DATABASE ${pg.escapeIdentifier(scratch)}`);
      created = true;
      await this.tools.query('postgres', `REVOKE CONNECT, TEMPORARY ON DATABASE ${pg.escapeIdentifier(scratch)} FROM PUBLIC`);
      const started = this.clock.now().getTime();
      await this.tools.restore(await this.storage.get(partKey(backup, 'database')), scratch, { noOwner: true });
      const restoreSeconds = (this.clock.now().getTime() - started) / 1000;
      // Backups from before counts were recorded are verified by the restore alone.
      const mismatch = manifest.tables ? compare(manifest.tables, await this.tools.countTables(scratch, await this.tablesIn(scratch, manifest.tables))) : null;
      outcome = mismatch ? { reason: mismatch } : { restoreSeconds };
    } catch (err) {
      outcome = { reason: (err as Error).message };
    } finally {
      // Dropped before the outcome is recorded: whoever sees it sees no scratch database left.
      if (created) await this.tools.query('postgres', `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(scratch)} WITH (FORCE)`).catch((err: Error) => this.logger.warn({ err, database: scratch }, 'could not drop a drill’s scratch database'));
    }
    if ('restoreSeconds' in outcome) {
      await this.ds.getRepository(Backup).update({ id: backup.id }, { verifiedAt: this.clock.now(), restoreSeconds: outcome.restoreSeconds, verificationError: null });
    } else {
      const reason = `restore drill failed: ${outcome.reason}`.slice(0, 2000);
      this.logger.warn({ backup_id: backup.id, tenant_id: backup.tenantId, reason }, 'restore drill failed');
      await this.ds.transaction(async (tx) => {
        await tx.getRepository(Backup).update({ id: backup.id }, { verificationError: reason });
        const data: BackupVerificationEventData = { backup_id: backup.id, tenant_id: backup.tenantId, reason };
        await this.outbox.add(tx, { type: EventTypes.BackupVerificationFailed, tenantId: backup.tenantId, data });
      });
    }
    return this.ds.getRepository(Backup).findOneByOrFail({ id: backup.id });
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

/** What differs between the recorded and the restored counts, or null when nothing does. */
export function compare(recorded: BackupTableCount[], found: BackupTableCount[]): string | null {
  const key = (t: { schema: string; table: string }) => `${t.schema}.${t.table}`;
  const restored = new Map(found.map((t) => [key(t), t.rows]));
  const problems: string[] = [];
  for (const t of recorded) {
    const rows = restored.get(key(t));
    if (rows === undefined) problems.push(`table ${key(t)} is missing`);
    else if (rows !== t.rows) problems.push(`table ${key(t)} has ${rows} rows, ${t.rows} recorded`);
    restored.delete(key(t));
  }
  for (const extra of restored.keys()) problems.push(`table ${extra} was not recorded`);
  return problems.length ? problems.join('; ') : null;
}

