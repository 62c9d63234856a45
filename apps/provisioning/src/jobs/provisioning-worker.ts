import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { EventTypes, type ProvisioningEventData } from '@saas/contracts';
import { backoffDelay, transientKind } from '@saas/errors';
import { EventOutbox } from '@saas/messaging';
import { workContext } from '@saas/observability';
import { Clock, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { ProvisioningConfig } from '../config.js';
import { ProvisioningJob } from './provisioning-job.entity.js';
import type { TenantDatabaseManager } from '../tenant-database/tenant-database.manager.js';
import { isPermanent, ProvisioningSteps, type JobOutcome } from './provisioning-steps.js';
import { TENANT_DATABASES } from '../tenant-database/tenant-database.tokens.js';
import { openConnection } from '@saas/database';

class LeaseLost extends Error {}

const SUB_STEP_QUIET_MS = 250;
const MAX_RETRY_BACKOFF_MS = 10_000;
/** How often a lost LISTEN connection (Postgres restarted) is opened again; polling covers the gap. */
const RELISTEN_MS = 2_000;

/**
 * Runs provisioning jobs. A job is claimed under a lease (renewed while it runs); jobs of one tenant
 * run one at a time, oldest first; a worker killed mid-job loses its lease and the job is claimed
 * again — by another replica or by this one after restart — and resumes. Each step is reported as
 * provisioning.step and the end as provisioning.succeeded / provisioning.failed, through the outbox
 * in the same transaction as the job's row.
 */
@Injectable()
export class ProvisioningWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private running = false;
  private loop?: Promise<void>;
  private readonly active = new Set<Promise<void>>();
  private wake?: () => void;
  private listener?: pg.Client;
  private lastListen = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly steps: ProvisioningSteps,
    private readonly clock: Clock,
    @Inject(TENANT_DATABASES) private readonly databases: TenantDatabaseManager,
    @Inject(SERVICE_CONFIG) private readonly config: ProvisioningConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.running = true;
    await this.listen();
    this.loop = this.run();
    // Spare databases are made while no job runs, never competing with a tenant being provisioned.
    this.databases.spares.maintain(() => this.active.size > 0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    // Jobs in flight finish if they can; otherwise their lease lapses and they resume elsewhere.
    await Promise.race([Promise.allSettled([...this.active]), new Promise((r) => setTimeout(r, 20_000).unref())]);
    await this.listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    this.lastListen = Date.now();
    try {
      const client = await openConnection({
        connectionString: this.config.DATABASE_URL,
        applicationName: 'provisioning-jobs-listener',
        onLost: () => {
          if (this.listener === client) this.listener = undefined;
        },
      });
      client.on('notification', () => this.wake?.());
      await client.query('LISTEN provisioning_jobs');
      this.listener = client;
    } catch (err) {
      this.logger.warn({ err }, 'cannot LISTEN for new provisioning jobs; polling only');
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = false;
      if (!this.listener && Date.now() - this.lastListen >= RELISTEN_MS) await this.listen();
      if (this.active.size < this.config.PROVISIONING_CONCURRENCY) {
        try {
          const job = await this.claim();
          if (job) {
            claimed = true;
            const work = this.process(job).finally(() => {
              this.active.delete(work);
              this.wake?.();
            });
            this.active.add(work);
          }
        } catch (err) {
          // Postgres restarting is a blip: say so quietly, the next poll tries again.
          if (transientKind(err)) this.logger.warn({ err: (err as Error).message }, 'cannot claim provisioning jobs right now');
          else this.logger.error({ err }, 'claiming a provisioning job failed');
        }
      }
      if (claimed || !this.running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.PROVISIONING_POLL_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** The oldest runnable job whose tenant has nothing older waiting or running under a live lease. */
  private async claim(): Promise<ProvisioningJob | null> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [rows] = (await this.ds.query(
      `UPDATE provisioning_jobs j
          SET status = 'running', lease_owner = $1, lease_until = now() + ($2::int * interval '1 millisecond'),
              attempts = attempts + 1, updated_at = now()
        WHERE j.id = (
          SELECT c.id FROM provisioning_jobs c
           WHERE (c.status = 'queued' OR (c.status = 'running' AND c.lease_until < now()))
             AND (c.run_after IS NULL OR c.run_after <= now())
             AND NOT EXISTS (
               SELECT 1 FROM provisioning_jobs o
                WHERE o.tenant_id = c.tenant_id AND o.id <> c.id
                  AND ((o.status = 'running' AND o.lease_until >= now())
                    OR (o.status IN ('queued', 'running') AND o.created_at < c.created_at)))
           ORDER BY c.created_at
           LIMIT 1
           FOR UPDATE SKIP LOCKED)
        RETURNING j.id`,
      [this.owner, this.config.PROVISIONING_JOB_LEASE_MS],
    )) as [Array<{ id: string }>, number];
    const id = rows[0]?.id;
    return id ? this.ds.getRepository(ProvisioningJob).findOneBy({ id }) : null;
  }

  /** Runs in the requesting event's correlation, so the job's events continue its chain. */
  private process(job: ProvisioningJob): Promise<void> {
    return workContext.run(
      { correlationId: job.correlationId ?? randomUUID(), causationId: job.causationId, actor: { type: 'service', id: 'provisioning' } },
      () => this.processInContext(job),
    );
  }

  private async processInContext(job: ProvisioningJob): Promise<void> {
    const log = this.logger.child({ job_id: job.id, tenant_id: job.tenantId, kind: job.kind, attempt: job.attempts });
    if (job.attempts > this.config.PROVISIONING_MAX_ATTEMPTS) {
      await this.finish(job, 'failed', {}, `gave up after ${job.attempts - 1} interrupted attempts${job.lastError ? ` (last error: ${job.lastError})` : ''}`, false);
      return;
    }
    let lost = false;
    let lastReport = 0;
    const heartbeat = setInterval(() => {
      this.renew(job.id).then(
        (ok) => {
          if (!ok) lost = true;
        },
        () => undefined,
      );
    }, Math.max(100, Math.floor(this.config.PROVISIONING_JOB_LEASE_MS / 3)));
    try {
      log.info(job.attempts > 1 ? 'resuming provisioning job' : 'starting provisioning job');
      const outcome = await this.steps.execute(job, {
        step: async (name, progress) => {
          if (lost) throw new LeaseLost('lease lost');
          this.crashSeam(name);
          // The runtime's sub-steps (`instance.start`…) are reported only when the job has been
          // quiet for a while: a fast start needs no play-by-play, a slow one still shows where it is.
          if (name.includes('.') && Date.now() - lastReport < SUB_STEP_QUIET_MS) return;
          lastReport = Date.now();
          await this.report(job, name, progress);
        },
      });
      if (lost) throw new LeaseLost('lease lost');
      await this.finish(job, 'succeeded', outcome);
      log.info('provisioning job succeeded');
    } catch (err) {
      if (err instanceof LeaseLost) {
        log.warn('provisioning job lease lost; another worker continues it');
        return;
      }
      const reason = `${job.step ? `${job.step}: ` : ''}${(err as Error).message ?? String(err)}`;
      const kind = transientKind(err);
      if (kind) {
        const retry = await this.retryLater(job, reason).catch((e: unknown) => {
          // Postgres itself is gone: the lease lapses and the job is claimed again when it is back.
          log.warn({ err: (e as Error).message }, 'cannot requeue the provisioning job now; its lease will lapse');
          return 'lease-lapses' as const;
        });
        if (retry !== 'deadline') {
          if (typeof retry === 'number') log.warn({ err: reason, transient: kind, retry_in_ms: retry }, 'provisioning job hit a transient failure; will retry');
          return;
        }
        log.error({ err }, 'provisioning job kept failing transiently past its deadline');
        await this.finish(job, 'failed', {}, `${reason} (still failing after ${this.config.PROVISIONING_RETRY_DEADLINE_MS} ms of retries)`, true).catch((e) =>
          log.error({ err: e }, 'recording the failure failed'),
        );
        return;
      }
      log.error({ err }, 'provisioning job failed');
      await this.finish(job, 'failed', {}, reason, !isPermanent(err)).catch((e) => log.error({ err: e }, 'recording the failure failed'));
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Transient is not failure: the job goes back in the queue, not before a backoff, its attempt not
   * counted (attempts count crashes). Its steps are idempotent, so the retry resumes where it was.
   * Returns the delay, 'lease-lapses' when this worker no longer holds the job, or 'deadline' when
   * its transient failures have lasted PROVISIONING_RETRY_DEADLINE_MS.
   */
  private async retryLater(job: ProvisioningJob, reason: string): Promise<number | 'deadline' | 'lease-lapses'> {
    const delay = backoffDelay(job.transientFailures + 1, this.config.PROVISIONING_RETRY_BACKOFF_MS, MAX_RETRY_BACKOFF_MS);
    const [rows] = (await this.ds.query(
      `UPDATE provisioning_jobs
          SET status = 'queued', lease_owner = NULL, lease_until = NULL,
              run_after = now() + ($3::int * interval '1 millisecond'),
              attempts = GREATEST(attempts - 1, 0), transient_failures = transient_failures + 1,
              retrying_since = COALESCE(retrying_since, now()), last_error = $4, updated_at = now()
        WHERE id = $1 AND lease_owner = $2 AND status = 'running'
          AND (retrying_since IS NULL OR retrying_since > now() - ($5::int * interval '1 millisecond'))
        RETURNING id`,
      [job.id, this.owner, delay, reason.slice(0, 1000), this.config.PROVISIONING_RETRY_DEADLINE_MS],
    )) as [Array<{ id: string }>, number];
    if (rows.length > 0) {
      this.wakeAfter(delay);
      return delay;
    }
    const [state] = (await this.ds.query(`SELECT lease_owner = $2 AND status = 'running' AS ours FROM provisioning_jobs WHERE id = $1`, [job.id, this.owner])) as Array<{ ours: boolean }>;
    return state?.ours ? 'deadline' : 'lease-lapses';
  }

  /** The requeued job becomes claimable after its backoff; look again then rather than a poll later. */
  private wakeAfter(ms: number): void {
    setTimeout(() => this.wake?.(), ms + 10).unref();
  }

  private async renew(id: string): Promise<boolean> {
    const result = await this.ds.query(
      `UPDATE provisioning_jobs SET lease_until = now() + ($3::int * interval '1 millisecond')
        WHERE id = $1 AND lease_owner = $2 AND status = 'running'`,
      [id, this.owner, this.config.PROVISIONING_JOB_LEASE_MS],
    );
    return (result as [unknown[], number])[1] > 0;
  }

  private async report(job: ProvisioningJob, step: string, progress: number): Promise<void> {
    const p = Math.max(0, Math.min(99, Math.round(progress)));
    job.step = step;
    job.progress = p;
    await this.ds.transaction(async (tx) => {
      await tx.getRepository(ProvisioningJob).update({ id: job.id, leaseOwner: this.owner }, { step, progress: p });
      await this.outbox.add(tx, { type: EventTypes.ProvisioningStep, tenantId: job.tenantId, data: this.data(job, { step, progress: p }) });
    });
  }

  private async finish(job: ProvisioningJob, status: 'succeeded' | 'failed', outcome: JobOutcome, reason?: string, retryable = true): Promise<void> {
    await this.ds.transaction(async (tx) => {
      await tx.getRepository(ProvisioningJob).update(
        { id: job.id },
        { status, progress: status === 'succeeded' ? 100 : job.progress, lastError: reason ?? null, finishedAt: this.clock.now(), leaseUntil: null },
      );
      await this.outbox.add(tx, {
        type: status === 'succeeded' ? EventTypes.ProvisioningSucceeded : EventTypes.ProvisioningFailed,
        tenantId: job.tenantId,
        data: this.data(job, status === 'succeeded' ? { ...outcome, progress: 100 } : { reason: reason ?? 'failed', retryable }),
      });
    });
  }

  private data(job: ProvisioningJob, extra: Partial<ProvisioningEventData>): ProvisioningEventData {
    return { tenant_id: job.tenantId, operation_id: job.id, kind: job.kind, ...extra };
  }

  /** See PROVISIONING_CRASH_AT: lets tests kill the process at a chosen step (never outside NODE_ENV=test). */
  private crashSeam(step: string): void {
    if (this.config.NODE_ENV === 'test' && this.config.PROVISIONING_CRASH_AT === step) {
      this.logger.warn({ step }, 'PROVISIONING_CRASH_AT reached: killing this process');
      process.kill(process.pid, 'SIGKILL');
    }
  }
}
