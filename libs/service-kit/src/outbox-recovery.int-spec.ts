import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type pg from 'pg';
import { TestEnv, waitFor, type ManagedProcess } from '@saas/testing';
import { consumerDrained, count, ensureBuilt, killAll, sleep, startFixture, streamMessages } from '../test/fixtures/harness.js';
import { SubjectNaming } from '@saas/messaging';
import { RpcClient } from '@saas/messaging';

// Hooks start real processes; the project's testTimeout does not reach hooks.
jest.setTimeout(60_000);

const ACK_WAIT_MS = 1_000;

describe('transactional outbox across a crash', () => {
  let env: TestEnv;
  let db: pg.Client;
  const procs: ManagedProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    env = await TestEnv.create('outbox-recovery');
    db = await env.pg();
  });

  afterAll(async () => {
    await killAll(procs);
    await db?.end();
    await env?.cleanup();
  });

  it('publishes an event committed before the producer was killed once it restarts, and it is consumed exactly once', async () => {
    const settings = { EVENT_ACK_WAIT_MS: String(ACK_WAIT_MS), EVENT_BACKOFF_MS: '50' };
    let orders = await startFixture('orders', env.env({ ...settings, OUTBOX_RELAY_ENABLED: 'false' }), procs);
    await startFixture('fulfilment', env.env(settings), procs);
    const rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 5_000);

    const order = await (rpc.callRaw('rpc.orders.create', { sku: 'SKU-1', qty: 3 }) as Promise<{ id: string; event_id: string }>);

    // State change and event were committed together; nothing has left the service yet.
    expect(await count(db, 'orders.orders WHERE id = $1', [order.id])).toBe(1);
    const { rows } = await db.query('SELECT published_at FROM orders.outbox WHERE id = $1', [order.event_id]);
    expect(rows).toEqual([{ published_at: null }]);
    expect(await streamMessages(env)).toBe(0);

    await orders.kill('SIGKILL');
    expect(orders.child.signalCode).toBe('SIGKILL');
    orders = await startFixture('orders', env.env(settings), procs);

    await waitFor(
      async () => (await db.query('SELECT 1 FROM orders.outbox WHERE id = $1 AND published_at IS NOT NULL', [order.event_id])).rowCount === 1,
      'the outbox row to be marked published',
    );
    expect(await streamMessages(env)).toBe(1);
    await waitFor(async () => (await count(db, 'fulfilment.order_effects WHERE order_id = $1', [order.id])) === 1, 'the effect of the event');
    await waitFor(() => consumerDrained(env, 'fulfilment'), 'the fulfilment consumer to ack everything');

    // Past an ack wait nothing comes back: still one message, one effect, one inbox row.
    await sleep(ACK_WAIT_MS + 500);
    expect(await streamMessages(env)).toBe(1);
    expect(await count(db, 'fulfilment.order_effects WHERE order_id = $1', [order.id])).toBe(1);
    expect(await count(db, 'fulfilment.inbox WHERE event_id = $1', [order.event_id])).toBe(1);
    const drained = await consumerDrained(env, 'fulfilment');
    expect(drained && drained.delivered.stream_seq).toBe(1);
  });
});
