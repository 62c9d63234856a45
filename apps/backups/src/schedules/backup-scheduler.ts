import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { EventOutbox } from '@saas/messaging';
import { Clock, runExclusive, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import { Backup } from '../backups/backup.entity.js';
import { BackupWorker } from '../backups/backup-worker.js';
import { BackupsService } from '../backups/backups.service.js';
import type { BackupsConfig } from '../config.js';
import { BACKUP_STORAGE, type BackupStorage } from '../storage/backup-storage.js';
import { BackupSchedule } from './backup-schedule.entity.js';
import { nextRun } from './schedule-expression.js';
import { emitScheduleChanged } from './schedule-events.js';

const TICK = 'backups.scheduler';

/**
 * Ticks on every replica; under one advisory lock (runExclusive) it queues the due scheduled
 * backups — each schedule row claimed FOR UPDATE SKIP LOCKED and moved to its next time in the same
 * transaction, so a run is queued once however many replicas tick — and enforces retention:
 * expired archives, and scheduled ones beyond the schedule's keep-last / keep-days, are deleted
 * from storage, then their rows. A backup a running restore uses is never deleted.
 */
@Injectable()
export class BackupScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly ds: DataSource,
    private readonly backups: BackupsService,
    private readonly worker: BackupWorker,
    private readonly registry: SchedulerRegistry,
    private readonly clock: Clock,
    private readonly outbox: EventOutbox,
    @Inject(BACKUP_STORAGE) private readonly storage: BackupStorage,
    @Inject(SERVICE_CONFIG) private readonly config: BackupsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** The registry is process-wide: the name is this instance's own (tests run replicas side by side). */
  private readonly intervalName = `${TICK}:${randomUUID()}`;
  private inFlight: Promise<unknown> = Promise.resolve();
  private ticking = false;

  onApplicationBootstrap(): void {
    // The hook may be called more than once by the microservice's start-up; one timer.
    if (this.registry.doesExist('interval', this.intervalName)) return;
    const timer = setInterval(() => {
      // A round slower than the tick is not joined by another of this replica: piled-up rounds would
      // each hold a pooled connection for the advisory lock while the working one waits for its own.
      if (this.ticking) return;
      this.ticking = true;
      this.inFlight = this.tick().finally(() => {
        this.ticking = false;
      });
    }, this.config.BACKUP_SCHEDULER_TICK_MS);
    timer.unref();
    this.registry.addInterval(this.intervalName, timer);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', this.intervalName)) this.registry.deleteInterval(this.intervalName);
    await this.inFlight;
  }

  /** One round; exported for tests. Returns what it did, or null when another replica holds the round. */
  async tick(): Promise<{ queued: number; deleted: number } | null> {
    try {
      const round = await runExclusive(this.ds, TICK, async () => {
        const now = this.clock.now();
        const queued = await this.queueDue(now);
        const deleted = await this.enforceRetention(now);
        return { queued, deleted };
      });
      return round.ran ? round.result : null;
    } catch (err) {
      this.logger.warn({ err }, 'backup scheduler round failed; the next one retries');
      return null;
    }
  }

  private async queueDue(now: Date): Promise<number> {
    const queued = await this.ds.transaction(async (tx) => {
      const due = await tx
        .getRepository(BackupSchedule)
        .createQueryBuilder('s')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where('s.enabled AND s.next_run_at <= :now', { now })
        .orderBy('s.next_run_at', 'ASC')
        .limit(100)
        .getMany();
      for (const s of due) {
        await this.backups.enqueueIn(tx, s.tenantId, 'scheduled', { reason: `schedule ${s.schedule} (${s.timezone})` });
        // Runs missed while nothing ticked collapse into this one: the next is after now.
        const nextRunAt = nextRun(s.cron, s.timezone, now);
        await tx.getRepository(BackupSchedule).update({ tenantId: s.tenantId }, { lastRunAt: now, nextRunAt });
        await emitScheduleChanged(this.outbox, tx, { ...s, nextRunAt });
      }
      return due.length;
    });
    if (queued) this.worker.kick();
    return queued;
  }

  private async enforceRetention(now: Date): Promise<number> {
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT b.id FROM backups b
        WHERE b.status IN ('completed', 'failed')
          AND NOT EXISTS (SELECT 1 FROM restores r WHERE r.status IN ('pending', 'running') AND (r.backup_id = b.id OR r.tenant_id = b.tenant_id))
          AND (
            b.expires_at <= $1
            OR (b.type = 'scheduled' AND EXISTS (
                  SELECT 1 FROM backup_schedules s LEFT JOIN tenant_plans p ON p.tenant_id = s.tenant_id
                   WHERE s.tenant_id = b.tenant_id AND (
                    -- keep_days within the subscription plan's retention (least() skips a NULL: either alone applies)
                    (least(s.keep_days, p.retention_days) IS NOT NULL AND b.created_at < $1::timestamptz - make_interval(days => least(s.keep_days, p.retention_days)))
                    OR (s.keep_last IS NOT NULL AND b.status = 'completed' AND (
                          SELECT count(*) FROM backups n
                           WHERE n.tenant_id = b.tenant_id AND n.type = 'scheduled' AND n.status = 'completed' AND n.created_at > b.created_at) >= s.keep_last)))))
        LIMIT 500`,
      [now],
    );
    let deleted = 0;
    for (const { id } of rows) {
      const backup = await this.ds.getRepository(Backup).findOneBy({ id });
      if (!backup) continue;
      try {
        await this.storage.deletePrefix(backup.storagePrefix);
        await this.ds.getRepository(Backup).delete({ id });
        deleted += 1;
      } catch (err) {
        this.logger.warn({ err, backup_id: id }, 'could not delete an expired backup; the next round retries');
      }
    }
    return deleted;
  }
}
