import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { TestEnv, waitFor } from '@saas/testing';
import { ScheduledJobs } from './scheduled-jobs.js';

describe('ScheduledJobs', () => {
  let env: TestEnv;
  let a: DataSource;
  let b: DataSource;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    env = await TestEnv.create('scheduled-jobs');
    a = await new DataSource({ type: 'postgres', url: env.databaseUrl }).initialize();
    b = await new DataSource({ type: 'postgres', url: env.databaseUrl }).initialize();
  });
  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    await env?.cleanup();
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
