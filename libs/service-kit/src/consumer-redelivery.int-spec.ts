import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type pg from 'pg';
import { TestEnv, waitFor, type ManagedProcess } from '@saas/testing';
import { consumerDrained, consumerInfo, count, ensureBuilt, killAll, startFixture } from '../test/fixtures/harness.js';
import { SubjectNaming } from '@saas/messaging';
import { RpcClient } from '@saas/messaging';

// Hooks start real processes; the project's testTimeout does not reach hooks.
jest.setTimeout(60_000);

async function handledTotal(metricsPort: number, outcome: string): Promise<number> {
  const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const line = body.split('\n').find((l) => l.startsWith('saas_events_handled_total{') && l.includes(`outcome="${outcome}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('durable consumer with an inbox', () => {
  let env: TestEnv;
  let db: pg.Client;
  const procs: ManagedProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    env = await TestEnv.create('consumer-redelivery');
    db = await env.pg();
  });

  afterAll(async () => {
    await killAll(procs);
    await db?.end();
    await env?.cleanup();
  });

  it('gets a message again when killed after the side effect but before the ack, and does not repeat the effect', async () => {
    const settings = { EVENT_ACK_WAIT_MS: '1000', EVENT_BACKOFF_MS: '50' };
    await startFixture('orders', env.env(settings), procs);
    const doomed = await startFixture('fulfilment', env.env({ ...settings, FIXTURE_KILL_BEFORE_ACK: '1' }), procs);
    const rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 5_000);

    const order = await (rpc.callRaw('rpc.orders.create', { sku: 'SKU-2', qty: 1 }) as Promise<{ id: string; event_id: string }>);

    // It dies by the signal, right after its transaction committed.
    await doomed.exited;
    expect(doomed.child.signalCode).toBe('SIGKILL');
    expect(await count(db, 'fulfilment.order_effects WHERE order_id = $1', [order.id])).toBe(1);
    expect(await count(db, 'fulfilment.inbox WHERE event_id = $1', [order.event_id])).toBe(1);
    const before = await consumerInfo(env, 'fulfilment');
    expect(before.delivered.stream_seq).toBe(1);
    expect(before.ack_floor.stream_seq).toBe(0); // delivered, never acked

    const revived = await startFixture('fulfilment', env.env({ ...settings, METRICS_PORT: '0' }), procs);
    const metricsPort = Number(/"metrics_port":(\d+)/.exec(await revived.waitForOutput(/"fulfilment service ready"/))![1]);

    const after = await waitFor(
      async () => {
        const info = await consumerDrained(env, 'fulfilment');
        return info && info.ack_floor.stream_seq === 1 ? info : false;
      },
      'the redelivered message to be acked',
      15_000,
    );
    // Delivered again (a new consumer sequence for the same stream message) and recognised as a duplicate.
    expect(after.delivered.consumer_seq).toBeGreaterThanOrEqual(2);
    expect(await handledTotal(metricsPort, 'duplicate')).toBeGreaterThanOrEqual(1);
    expect(await handledTotal(metricsPort, 'handled')).toBe(0);
    expect(await count(db, 'fulfilment.order_effects WHERE order_id = $1', [order.id])).toBe(1);
    expect(await count(db, 'fulfilment.inbox WHERE event_id = $1', [order.event_id])).toBe(1);
  });
});

describe('durable consumer with a handler slower than the ack wait', () => {
  let env: TestEnv;
  let db: pg.Client;
  const procs: ManagedProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    env = await TestEnv.create('consumer-slow');
    db = await env.pg();
  });

  afterAll(async () => {
    await killAll(procs);
    await db?.end();
    await env?.cleanup();
  });

  it('keeps the message in progress instead of having it redelivered mid-handling', async () => {
    const settings = { EVENT_ACK_WAIT_MS: '600', EVENT_BACKOFF_MS: '50' };
    await startFixture('orders', env.env(settings), procs);
    await startFixture('fulfilment', env.env({ ...settings, FIXTURE_HANDLER_DELAY_MS: '2000' }), procs);
    const rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 5_000);

    const order = await (rpc.callRaw('rpc.orders.create', { sku: 'SKU-7', qty: 1 }) as Promise<{ id: string; event_id: string }>);

    const done = await waitFor(
      async () => {
        const info = await consumerDrained(env, 'fulfilment');
        return info && info.ack_floor.stream_seq === 1 ? info : false;
      },
      'the slow handler to finish and ack',
      15_000,
    );
    expect(done.delivered.consumer_seq).toBe(1); // delivered once, despite taking > 3 ack waits
    expect(await count(db, 'fulfilment.order_effects WHERE order_id = $1', [order.id])).toBe(1);
  });
});

