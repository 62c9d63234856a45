import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestEnv, type ManagedProcess } from '@saas/testing';
import { ensureBuilt, killAll, startFixture } from '../test/fixtures/harness.js';

/** Stopping a service: graceful when it can be, and never hanging for ever when it cannot. */
describe('service shutdown', () => {
  let env: TestEnv;
  const procs: ManagedProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    env = await TestEnv.create('shutdown');
  });

  afterAll(async () => {
    await killAll(procs);
    await env.cleanup();
  });

  it('exits 0 on SIGTERM when everything stops', async () => {
    const orders = await startFixture('orders', env.env(), procs);
    expect(await orders.kill('SIGTERM')).toBe(0);
    expect(orders.output()).toContain('orders service stopped');
  });

  it('exits 1 after SHUTDOWN_TIMEOUT_MS when a part never finishes stopping, instead of staying behind', async () => {
    const orders = await startFixture('orders', env.env({ FIXTURE_HANG_ON_SHUTDOWN: '1', SHUTDOWN_TIMEOUT_MS: '1000' }), procs);
    const started = Date.now();
    expect(await orders.kill('SIGTERM')).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(orders.output()).toContain('orders service did not stop in time');
    expect(orders.output()).not.toContain('orders service stopped');
  });
});
