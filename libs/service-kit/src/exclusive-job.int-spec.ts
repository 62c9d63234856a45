import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { TestEnv, waitFor } from '@saas/testing';
import { runExclusive } from './exclusive-job.js';
import { ScheduledJobs } from './scheduled-jobs.js';

/** Two replicas' DataSources on one database: runExclusive, and ScheduledJobs built on it. */
describe('runExclusive and ScheduledJobs', () => {
  let env: TestEnv;
  let a: DataSource;
  let b: DataSource;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    env = await TestEnv.create('exclusive-job');
    a = await new DataSource({ type: 'postgres', url: env.databaseUrl }).initialize();
    b = await new DataSource({ type: 'postgres', url: env.databaseUrl }).initialize();
  });
  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    await env?.cleanup();
  });

  it('runs a job on one replica at a time and skips it on the others', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = runExclusive(a, 'renewals', async () => {
      await held;
      return 'first';
    });
    // Give the first replica time to take the lock.
    await new Promise((r) => setTimeout(r, 200));
    await expect(runExclusive(b, 'renewals', async () => 'second')).resolves.toEqual({ ran: false });
    await expect(runExclusive(b, 'other-job', async () => 'other')).resolves.toEqual({ ran: true, result: 'other' });
    release();
    await expect(first).resolves.toEqual({ ran: true, result: 'first' });
    await expect(runExclusive(b, 'renewals', async () => 'again')).resolves.toEqual({ ran: true, result: 'again' });
  });

  it('frees the lock when the job throws', async () => {
    await expect(runExclusive(a, 'failing', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(runExclusive(b, 'failing', async () => 1)).resolves.toEqual({ ran: true, result: 1 });
  });

  it('runs a job on one replica per tick, never overlapping its own rounds', async () => {
    const replicaA = new ScheduledJobs(new SchedulerRegistry(), a, logger);
    const replicaB = new ScheduledJobs(new SchedulerRegistry(), b, logger);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const runs: string[] = [];
    const job = (who: string) => ({
      name: 'spec.exclusive',
      everyMs: 60_000,
      run: async () => {
        runs.push(who);
        await held;
        return who;
      },
    });
    const first = replicaA.runNow(job('a'));
    await waitFor(() => runs.length === 1, 'the first round started');
    // Another replica's tick and this replica's next tick both skip while the round runs.
    await expect(replicaB.runNow(job('b'))).resolves.toEqual({ ran: false });
    await expect(replicaA.runNow(job('a again'))).resolves.toEqual({ ran: false });
    release();
    await expect(first).resolves.toEqual({ ran: true, result: 'a' });
    await expect(replicaB.runNow({ ...job('b'), run: async () => 'b' })).resolves.toEqual({ ran: true, result: 'b' });
    expect(runs).toEqual(['a']);
  });

  it('logs a failed round, frees the lock and runs the next tick', async () => {
    const jobs = new ScheduledJobs(new SchedulerRegistry(), a, logger);
    await expect(jobs.runNow({ name: 'spec.failing', everyMs: 60_000, run: () => Promise.reject(new Error('boom')) })).resolves.toEqual({ ran: false });
    const other = new ScheduledJobs(new SchedulerRegistry(), b, logger);
    await expect(other.runNow({ name: 'spec.failing', everyMs: 60_000, run: async () => 1 })).resolves.toEqual({ ran: true, result: 1 });
  });

  it('ticks on its interval once per name, and stops ticking at shutdown after the round in flight', async () => {
    const registry = new SchedulerRegistry();
    const jobs = new ScheduledJobs(registry, a, logger);
    let rounds = 0;
    const job = { name: 'spec.ticking', everyMs: 50, run: async () => void rounds++ };
    jobs.every(job);
    jobs.every(job); // Nest may call onApplicationBootstrap twice
    expect(registry.getIntervals()).toEqual(['spec.ticking']);
    await waitFor(() => rounds >= 2, 'two rounds');
    await jobs.beforeApplicationShutdown();
    expect(registry.getIntervals()).toEqual([]);
    const after = rounds;
    await new Promise((r) => setTimeout(r, 200));
    expect(rounds).toBe(after);
  });
});
