import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { jetstream, jetstreamManager, type ConsumerInfo, type JetStreamClient } from '@nats-io/jetstream';
import type pg from 'pg';
import { createEnvelope, RpcSubjects, type EventEnvelope, type ServiceName } from '@saas/contracts';
import { TestEnv, waitFor, type ManagedProcess } from '@saas/testing';
import { consumerDrained, consumerInfo, count, ensureBuilt, killAll, sleep, startFixture } from '../test/fixtures/harness.js';
import { SubjectNaming } from '@saas/messaging';
import { RpcClient } from '@saas/messaging';

// Hooks start real processes; the project's testTimeout does not reach hooks.
jest.setTimeout(60_000);

const service = 'fulfilment' as ServiceName;

describe('poison messages and dead letters', () => {
  let env: TestEnv;
  let db: pg.Client;
  let js: JetStreamClient;
  let naming: SubjectNaming;
  let rpc: RpcClient;
  const procs: ManagedProcess[] = [];

  const orderEvent = (data: Record<string, unknown>): EventEnvelope =>
    createEnvelope({ type: 'order.created', data: { order_id: randomUUID(), sku: 'SKU-3', qty: 1, ...data } });
  const publish = (payload: string) => js.publish(naming.event('order.created'), payload);
  const effects = (orderId: unknown) => count(db, 'fulfilment.order_effects WHERE order_id = $1', [orderId]);

  beforeAll(async () => {
    ensureBuilt();
    env = await TestEnv.create('dead-letters');
    db = await env.pg();
    naming = new SubjectNaming(env.prefix);
    // Backoff 200 ms: the poison's 3 attempts span ≥ 300 ms, far more than the others need.
    await startFixture('fulfilment', env.env({ EVENT_MAX_DELIVER: '3', EVENT_BACKOFF_MS: '200', EVENT_ACK_WAIT_MS: '2000' }), procs);
    const nc = await env.nats();
    js = jetstream(nc);
    rpc = new RpcClient(nc, naming, 5_000);
  });

  afterAll(async () => {
    await killAll(procs);
    await db?.end();
    await env?.cleanup();
  });

  it('parks a failing message after the configured attempts while the ones behind it keep flowing, then replays it once', async () => {
    const poison = orderEvent({ poison: true });
    const normal = Array.from({ length: 5 }, () => orderEvent({}));
    const { seq } = await publish(JSON.stringify(poison));
    for (const e of normal) await publish(JSON.stringify(e));

    for (const e of normal) await waitFor(async () => (await effects(e.data.order_id)) === 1, `the effect of normal order ${e.data.order_id}`);
    const [letter] = await waitFor(async () => {
      const { rows } = await db.query('SELECT * FROM fulfilment.dead_letters WHERE event_id = $1', [poison.id]);
      return rows.length > 0 && rows;
    }, 'the poison to be parked');
    expect(letter).toMatchObject({ status: 'parked', attempts: 3, type: 'order.created', consumer: 'fulfilment', replayed_at: null });
    expect(letter.error).toContain('is poison: fulfilment refuses it');
    expect(JSON.parse(letter.payload)).toEqual(poison);
    // Not blocked behind the poison: every normal effect was written before the poison was given up on.
    const { rows: latest } = await db.query('SELECT max(created_at) AS at FROM fulfilment.order_effects');
    expect(new Date(latest[0].at).getTime()).toBeLessThanOrEqual(new Date(letter.parked_at).getTime());
    expect(await effects(poison.data.order_id)).toBe(0);
    // The retries were really delayed (nak with a delay): backoff 200 ms gives ≥ 100 + 200 ms before attempt 3.
    const stored = await (await jetstreamManager(await env.nats())).streams.getMessage(env.streamName, { seq });
    expect(new Date(letter.parked_at).getTime() - stored!.time.getTime()).toBeGreaterThanOrEqual(300);

    // Terminated, not redelivered: nothing pending, and nothing changes past backoff and ack wait.
    const settled = await waitFor(() => consumerDrained(env, service as 'fulfilment'), 'the consumer to settle');
    await sleep(2_500);
    const later = await consumerInfo(env, 'fulfilment');
    expect(later.delivered.consumer_seq).toBe(settled.delivered.consumer_seq);
    expect(later.num_ack_pending + later.num_pending).toBe(0);
    expect(await count(db, 'fulfilment.dead_letters WHERE event_id = $1', [poison.id])).toBe(1);

    // Operators see it over RPC…
    const list = await rpc.call(RpcSubjects.deadLetters.list(service), {});
    expect(list.count).toBe(1);
    expect(list.results[0]).toMatchObject({ id: letter.id, event_id: poison.id, type: 'order.created', attempts: 3, status: 'parked' });
    expect(list.results[0]!.error).toContain('is poison');

    // …a replay before the fix fails again and keeps it parked…
    const failed = await rpc.call(RpcSubjects.deadLetters.replay(service), { id: letter.id });
    expect(failed).toMatchObject({ id: letter.id, status: 'parked' });
    expect(failed.error).toContain('is poison');
    expect(await effects(poison.data.order_id)).toBe(0);

    // …and after the fix it applies the effect exactly once, however often it is replayed.
    await db.query('INSERT INTO fulfilment.cures (order_id) VALUES ($1)', [poison.data.order_id]);
    await expect(rpc.call(RpcSubjects.deadLetters.replay(service), { id: letter.id })).resolves.toEqual({ id: letter.id, status: 'replayed' });
    expect(await effects(poison.data.order_id)).toBe(1);
    await expect(rpc.call(RpcSubjects.deadLetters.replay(service), { id: letter.id })).resolves.toEqual({ id: letter.id, status: 'replayed' });
    expect(await effects(poison.data.order_id)).toBe(1);
    const { rows: final } = await db.query('SELECT status, replayed_at FROM fulfilment.dead_letters WHERE id = $1', [letter.id]);
    expect(final[0].status).toBe('replayed');
    expect(final[0].replayed_at).toBeInstanceOf(Date);
    const replayed = await rpc.call(RpcSubjects.deadLetters.list(service), { status: 'replayed' });
    expect(replayed.results.map((r) => r.id)).toEqual([letter.id]);
  });

  it('answers the replay RPC with VALIDATION_FAILED for a bad id and DEAD_LETTER_NOT_FOUND for an unknown one', async () => {
    await expect(rpc.call(RpcSubjects.deadLetters.replay(service), { id: 'nope' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      errors: [{ field: 'id', message: 'id must be a UUID' }],
    });
    await expect(rpc.call(RpcSubjects.deadLetters.replay(service), { id: randomUUID() })).rejects.toMatchObject({
      code: 'DEAD_LETTER_NOT_FOUND',
      status: 404,
    });
  });

  const malformed: Array<[label: string, payload: () => string, error: string, type: string | null]> = [
    ['not JSON', () => '{"id": "oops', 'message is not JSON', null],
    ['not an envelope', () => JSON.stringify({ hello: 'world' }), 'event envelope', null],
    ['an envelope whose data breaks the contract', () => JSON.stringify(orderEvent({ qty: 'many', colour: 'red' })), 'order.created data', 'order.created'],
  ];
  it.each(malformed)('parks a message that is %s at once, without retries', async (_label, payload, error, type) => {
    const before = await consumerInfo(env, 'fulfilment');
    const { rows: existing } = await db.query<{ id: string }>('SELECT id FROM fulfilment.dead_letters');
    const body = payload();
    await publish(body);
    const [letter] = await waitFor(async () => {
      const { rows } = await db.query('SELECT * FROM fulfilment.dead_letters WHERE NOT (id = ANY($1::uuid[]))', [existing.map((r) => r.id)]);
      return rows.length > 0 && rows;
    }, 'the message to be parked');
    expect(letter).toMatchObject({ status: 'parked', attempts: 1, payload: body, type });
    expect(letter.error).toContain(error);
    const settled: ConsumerInfo = await waitFor(() => consumerDrained(env, 'fulfilment'), 'the consumer to settle');
    // Delivered exactly once.
    expect(settled.delivered.consumer_seq).toBe(before.delivered.consumer_seq + 1);
  });
});
