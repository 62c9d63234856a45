import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { TestEnv } from '@saas/testing';
import { runExclusive } from './exclusive-job.js';

describe('runExclusive', () => {
  let env: TestEnv;
  let a: DataSource;
  let b: DataSource;

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
});
