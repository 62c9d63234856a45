import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type pg from 'pg';
import { createEnvelope, type EventEnvelope } from '@saas/contracts';
import { SubjectNaming } from '@saas/messaging';
import { TestEnv, waitFor, type ManagedProcess } from '@saas/testing';
import { count, ensureBuilt, killAll, startFixture } from '../test/fixtures/harness.js';

jest.setTimeout(60_000);

/**
 * Transient is not failure (issue 15): a handler that fails with a serialization failure (or a lost
 * connection, an RPC timeout…) more often than EVENT_MAX_DELIVER is retried until it succeeds,
 * instead of its message being parked as a dead letter; a real failure still parks after the attempts.
 */
describe('event handlers failing transiently', () => {
  let env: TestEnv;
  let db: pg.Client;
  let js: JetStreamClient;
  let naming: SubjectNaming;
  const procs: ManagedProcess[] = [];
  let fulfilment: ManagedProcess;

  const orderEvent = (data: Record<string, unknown>): EventEnvelope =>
    createEnvelope({ type: 'order.created', data: { order_id: randomUUID(), sku: 'SKU-9', qty: 1, ...data } });
  const effects = (orderId: unknown) => count(db, 'fulfilment.order_effects WHERE order_id = $1', [orderId]);

  beforeAll(async () => {
    ensureBuilt();
    env = await TestEnv.create('transient-retry');
    db = await env.pg();
    naming = new SubjectNaming(env.prefix);
    // Straight back to the stream on a blip (no retry in place): the redeliveries are what is tested.
    fulfilment = await startFixture('fulfilment', env.env({ EVENT_MAX_DELIVER: '3', EVENT_BACKOFF_MS: '50', EVENT_ACK_WAIT_MS: '5000', EVENT_IN_PLACE_RETRY_MS: '0' }), procs);
    js = jetstream(await env.nats());
  });

  afterAll(async () => {
    await killAll(procs);
    await db?.end();
    await env?.cleanup();
  });

  it('retries a message past EVENT_MAX_DELIVER while its handler fails transiently, then applies it once; a real failure still parks', async () => {
    const blipping = orderEvent({ blips: 5 });
    const poison = orderEvent({ poison: true });
    await js.publish(naming.event('order.created'), JSON.stringify(blipping));
    await js.publish(naming.event('order.created'), JSON.stringify(poison));

    await waitFor(async () => (await effects(blipping.data.order_id)) === 1, 'the blipping order to be fulfilled', 30_000);
    await waitFor(async () => (await count(db, 'fulfilment.dead_letters WHERE event_id = $1', [poison.id])) === 1, 'the poison to be parked', 30_000);
    expect(await count(db, 'fulfilment.dead_letters WHERE event_id = $1', [blipping.id])).toBe(0);
    expect(await count(db, 'fulfilment.inbox WHERE event_id = $1', [blipping.id])).toBe(1);
    const { rows } = await db.query('SELECT attempts FROM fulfilment.dead_letters WHERE event_id = $1', [poison.id]);
    expect(rows[0].attempts).toBe(3);
    const warnings = fulfilment.output().split('\n').filter((l) => l.includes('event handler hit a transient failure; will retry') && l.includes(blipping.id));
    expect(warnings).toHaveLength(5);
  });
});

/** The default: a blip is retried where it happened (its tenant's lane waits), not redelivered. */
describe('event handlers failing transiently, retried in place', () => {
  let env: TestEnv;
  let db: pg.Client;
  const procs: ManagedProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    env = await TestEnv.create('transient-in-place');
    db = await env.pg();
  });

  afterAll(async () => {
    await killAll(procs);
    await db?.end();
    await env?.cleanup();
  });

  it('applies a message whose handler blips five times once, in place: no redelivery, a warning per blip', async () => {
    const fulfilment = await startFixture('fulfilment', env.env({ EVENT_MAX_DELIVER: '3', EVENT_BACKOFF_MS: '50', EVENT_ACK_WAIT_MS: '5000' }), procs);
    const js = jetstream(await env.nats());
    const blipping = createEnvelope({ type: 'order.created', data: { order_id: randomUUID(), sku: 'SKU-9', qty: 1, blips: 5 } });
    await js.publish(new SubjectNaming(env.prefix).event('order.created'), JSON.stringify(blipping));
    await waitFor(async () => (await count(db, 'fulfilment.order_effects WHERE order_id = $1', [blipping.data.order_id])) === 1, 'the blipping order to be fulfilled', 30_000);
    const lines = fulfilment.output().split('\n').filter((l) => l.includes(blipping.id));
    expect(lines.filter((l) => l.includes('retrying in place'))).toHaveLength(5);
    expect(lines.filter((l) => l.includes('will retry'))).toHaveLength(0);
    expect(await count(db, 'fulfilment.dead_letters WHERE event_id = $1', [blipping.id])).toBe(0);
  });
});
