import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { FaultPlatform, report } from './fault-platform.js';

jest.setTimeout(180_000);

/**
 * The tenants service's connection pool exhausted: a session of the test holds an exclusive lock
 * on the tenants table for 4 s in the middle of a burst, so every statement of the service waits
 * and its pool (10 connections) runs dry. Callers must get a quick 503/504 (never a request that
 * hangs), and once the lock goes every sign-up ends `active`, once each.
 */
describe("a service's connection pool exhausted mid-burst", () => {
  let platform: FaultPlatform;

  beforeAll(async () => {
    platform = await FaultPlatform.start('faults_pool');
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('six sign-ups while the tenants table is locked for 4 s: reads answer within the RPC timeout, all end active, once each', async () => {
    const { outcomes: before } = await platform.signUpBurst('pool-before', 1);
    await platform.untilActive(before.map((o) => o.tenant.id));
    const readLatencies: Array<{ status: number; ms: number }> = [];
    let releasedAt = 0;
    const { outcomes } = await platform.signUpBurst('pool', 6, {
      afterMs: 200,
      run: async () => {
        const locker = new pg.Client({ connectionString: platform.env.databaseUrl });
        await locker.connect();
        try {
          await locker.query('BEGIN');
          await locker.query('LOCK TABLE tenants.tenants IN ACCESS EXCLUSIVE MODE');
          // Reads of a tenant pile up behind the lock meanwhile, more than the pool has connections.
          const until = Date.now() + 4_000;
          const readers = Array.from({ length: 15 }, async () => {
            while (Date.now() < until) {
              const t0 = Date.now();
              const res = await platform.api('GET', `/api/v1/tenants/${before[0]!.tenant.id}`);
              readLatencies.push({ status: res.status, ms: Date.now() - t0 });
            }
          });
          await Promise.all(readers);
          await locker.query('COMMIT');
          releasedAt = Date.now();
        } finally {
          await locker.end();
        }
      },
    });
    const allActiveAt = await platform.untilActive(outcomes.map((o) => o.tenant.id));
    const end = await platform.endState(outcomes.map((o) => o.tenant));
    report({ case: 'tenants pool exhausted (table locked 4 s)', created: outcomes.length, active: end.active, duplicates: end.duplicates, lost_events: end.lostEvents, recover_ms: allActiveAt - releasedAt });
    expect(end.problems).toEqual([]);
    expect(end.active).toBe(6);
    // Nobody waited on a hung request: the gateway answers within its RPC timeout (1 s here) and a margin.
    expect(readLatencies.length).toBeGreaterThan(15);
    expect(Math.max(...readLatencies.map((r) => r.ms))).toBeLessThan(3_000);
    for (const r of readLatencies) expect([200, 503, 504]).toContain(r.status);
    expect(readLatencies.some((r) => r.status === 503 || r.status === 504)).toBe(true);
    // The service is whole again: a read answers at once.
    expect((await platform.api('GET', `/api/v1/tenants/${before[0]!.tenant.id}`)).status).toBe(200);
    expect(await platform.orphans()).toEqual([]);
  });
});
