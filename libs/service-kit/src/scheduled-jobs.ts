import { type BeforeApplicationShutdown, Global, Inject, Injectable, Module } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { runExclusive } from './exclusive-job.js';
import { SERVICE_LOGGER } from './tokens.js';

export interface ScheduledJob<T = unknown> {
  /**
   * Names the job: its interval in the `@nestjs/schedule` registry and, when exclusive, its advisory
   * lock. Unique across the services sharing a database (`identity.housekeeping`).
   */
  name: string;
  everyMs: number;
  /**
   * true (the default): each tick runs on one replica only — the others find the lock taken and skip
   * the round (runExclusive). false: on every replica, for work that is the process's own.
   */
  exclusive?: boolean;
  run(): Promise<T>;
}

export type JobRound<T> = { ran: true; result: T } | { ran: false };

/**
 * Scheduled work, one way for every service: a `@nestjs/schedule` interval that ticks on every
 * replica, and a round that runs under the job's advisory lock so N replicas run it once per tick.
 * A replica never overlaps its own rounds (a tick while the last round still runs is skipped), a
 * failed round is logged and the next tick tries again, and shutdown stops the ticks and waits for
 * the round in flight. Register jobs in `onApplicationBootstrap` (Nest may call it more than once:
 * a name already scheduled is not scheduled again).
 */
@Injectable()
export class ScheduledJobs implements BeforeApplicationShutdown {
  private readonly names = new Set<string>();
  private readonly inFlight = new Map<string, Promise<JobRound<unknown>>>();

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly ds: DataSource,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  every<T>(job: ScheduledJob<T>): void {
    if (this.registry.doesExist('interval', job.name)) return;
    const timer = setInterval(() => void this.runNow(job), job.everyMs);
    timer.unref();
    this.registry.addInterval(job.name, timer);
    this.names.add(job.name);
  }

  /**
   * One round of `job` now, as a tick runs it: `{ ran: false }` when this replica's previous round is
   * still running, another replica holds the job's lock, or the round failed (logged).
   */
  runNow<T>(job: ScheduledJob<T>): Promise<JobRound<T>> {
    const running = this.inFlight.get(job.name);
    if (running) return Promise.resolve({ ran: false });
    const round = (job.exclusive === false ? job.run().then((result) => ({ ran: true as const, result })) : runExclusive(this.ds, job.name, () => job.run()))
      .catch((err: unknown): JobRound<T> => {
        this.logger.error({ err, job: job.name }, `scheduled job ${job.name} failed; the next tick tries again`);
        return { ran: false };
      })
      .finally(() => this.inFlight.delete(job.name));
    this.inFlight.set(job.name, round);
    return round;
  }

  /** Before any feature shuts down (the jobs still have what they use): no tick from now on, the round in flight finishes. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const name of this.names) if (this.registry.doesExist('interval', name)) this.registry.deleteInterval(name);
    this.names.clear();
    await Promise.allSettled([...this.inFlight.values()]);
  }
}

/**
 * `@nestjs/schedule` and ScheduledJobs for a service's features (import it once, where the service
 * wires its shared providers).
 */
@Global()
@Module({ imports: [ScheduleModule.forRoot()], providers: [ScheduledJobs], exports: [ScheduledJobs] })
export class SchedulingModule {}
