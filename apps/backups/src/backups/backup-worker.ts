import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, LessThan } from 'typeorm';
import { Clock, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { BackupsConfig } from '../config.js';
import { Backup } from './backup.entity.js';
import { BackupLifecycle } from './backup-lifecycle.js';
import { BackupRunner } from './backup-runner.js';

/** A unit of leased work: the restore runner and the restore drills register themselves here too. */
export interface LeasedJobs {
  /** Fails (and cleans up after) runs whose lease lapsed: their process died. */
  sweepStale(now: Date): Promise<void>;
  /** Claims and starts at most one run; false when there was nothing to claim. */
  claimOne(owner: string, leaseUntil: Date, signal: AbortSignal): Promise<{ done: Promise<void> } | false>;
}

/**
 * Runs queued backups on every replica: each is claimed with `FOR UPDATE SKIP LOCKED` under a lease
 * renewed while it runs; one whose process died keeps its lease no longer than BACKUP_LEASE_MS, is
 * then failed by whichever replica sees it first, and its stored parts are deleted.
 */
@Injectable()
export class BackupWorker implements OnApplicationBootstrap, OnApplicationShutdown, LeasedJobs {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly active = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  private readonly queues: LeasedJobs[] = [this];

  constructor(
    private readonly ds: DataSource,
    private readonly runner: BackupRunner,
    private readonly lifecycle: BackupLifecycle,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: BackupsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  register(queue: LeasedJobs): void {
    this.queues.push(queue);
  }

  onApplicationBootstrap(): void {
    if (this.running) return; // one loop, however often the hook is called
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    // Runs in flight are abandoned: their lease lapses and they are failed (never half-offered).
    this.stop.abort();
    await Promise.race([Promise.allSettled([...this.active]), new Promise((r) => setTimeout(r, 5_000).unref())]);
  }

  /** Looks for work now rather than at the next poll. */
  kick(): void {
    this.wake?.();
  }

  leaseUntil(): Date {
    return new Date(this.clock.now().getTime() + this.config.BACKUP_LEASE_MS);
  }

  /** Renews a run's lease until `done`; aborts `signal` when the lease was lost. */
  keepLeased(table: 'backups' | 'restores' | 'restore_drills', id: string, done: Promise<unknown>, lost: AbortController): void {
    const timer = setInterval(() => {
      this.ds
        .query(`UPDATE ${table} SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND status = 'running'`, [this.leaseUntil(), id, this.owner])
        .then((res: [unknown, number]) => {
          if (res[1] === 0) lost.abort();
        })
        .catch((err: Error) => this.logger.warn({ err, id }, 'could not renew a lease'));
    }, Math.max(100, Math.floor(this.config.BACKUP_LEASE_MS / 3)));
    timer.unref();
    void done.finally(() => clearInterval(timer));
  }

  async sweepStale(now: Date): Promise<void> {
    const stale = await this.ds.getRepository(Backup).find({ where: { status: 'running', leaseUntil: LessThan(now) }, select: { id: true } });
    for (const { id } of stale) {
      const row = await this.ds.getRepository(Backup).findOneBy({ id });
      if (!row || row.status !== 'running' || !row.leaseUntil || row.leaseUntil >= now) continue;
      this.logger.warn({ backup_id: id, step: row.step }, 'failing a backup whose process died');
      await this.runner.failAndClean(id, {
        part: partOfStep(row.step),
        step: row.step,
        reason: 'interrupted: the backups service stopped while the backup ran; nothing of it is kept',
      }, true);
    }
  }

  async claimOne(owner: string, leaseUntil: Date, signal: AbortSignal): Promise<{ done: Promise<void> } | false> {
    const claimed = await this.ds.transaction(async (tx) => {
      const backup = await tx
        .getRepository(Backup)
        .createQueryBuilder('b')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where(`b.status = 'pending'`)
        .orderBy('b.created_at', 'ASC')
        .limit(1)
        .getOne();
      if (!backup) return null;
      await this.lifecycle.start(tx, backup, { owner, until: leaseUntil });
      return backup;
    });
    if (!claimed) return false;
    return { done: this.runLeased(claimed, signal).then(() => undefined) };
  }

  /** Runs a backup this process holds the lease of, renewing it meanwhile. */
  runLeased(backup: Backup, signal: AbortSignal): Promise<Backup> {
    const lost = new AbortController();
    const onStop = () => lost.abort();
    signal.addEventListener('abort', onStop, { once: true });
    const run = this.runner.run(backup, lost.signal).finally(() => signal.removeEventListener('abort', onStop));
    this.keepLeased('backups', backup.id, run, lost);
    return run;
  }

  get stopSignal(): AbortSignal {
    return this.stop.signal;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const now = this.clock.now();
        for (const q of this.queues) await q.sweepStale(now);
        let claimedAny = true;
        while (this.running && claimedAny && this.active.size < this.config.BACKUP_CONCURRENCY) {
          claimedAny = false;
          for (const q of this.queues) {
            if (this.active.size >= this.config.BACKUP_CONCURRENCY) break;
            const started = await q.claimOne(this.owner, this.leaseUntil(), this.stop.signal);
            if (!started) continue;
            claimedAny = true;
            const tracked = started.done.catch((err: Error) => this.logger.error({ err }, 'a backup run crashed')).finally(() => {
              this.active.delete(tracked);
              this.wake?.();
            });
            this.active.add(tracked);
          }
        }
      } catch (err) {
        this.logger.warn({ err }, 'backup worker pass failed; retrying');
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.config.BACKUP_POLL_MS);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}

function partOfStep(step: string | null): Backup['errorPart'] {
  if (!step) return null;
  if (step.includes('database')) return 'database';
  if (step.includes('files')) return 'files';
  if (step.includes('manifest')) return 'manifest';
  return null;
}
