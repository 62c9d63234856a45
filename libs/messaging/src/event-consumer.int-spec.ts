import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { DataSource } from 'typeorm';
import { createLogger } from '@saas/observability';
import { TestEnv } from '@saas/testing';
import { ANY_EVENT, EventConsumer } from './event-consumer.js';
import type { RegisteredEventHandler } from './event-handler.decorator.js';
import { SubjectNaming } from './naming.js';
import { ensureEventStream } from './stream.js';

const logger = createLogger('event-consumer-test', 'silent');

describe('EventConsumer.ensure', () => {
  let env: TestEnv;
  let jsm: JetStreamManager;
  let naming: SubjectNaming;

  const consumerFor = async (durable: string, types: string[], ackWaitMs: number) => {
    const handlers: RegisteredEventHandler[] = types.map((type) => ({ type, name: `test.${type}`, handle: async () => undefined }));
    // ensure() only talks to JetStream; the DataSource is never touched.
    return new EventConsumer({} as DataSource, jetstream(await env.nats()), jsm, naming, logger, {
      durable,
      handlers,
      maxDeliver: 3,
      backoffMs: 50,
      ackWaitMs,
    });
  };

  beforeAll(async () => {
    env = await TestEnv.create('consumer-ensure');
    naming = new SubjectNaming(env.prefix);
    jsm = await jetstreamManager(await env.nats());
    await ensureEventStream(jsm, naming);
  }, 30_000);

  afterAll(async () => {
    await env?.cleanup();
  }, 30_000);

  it('creates the durable, then updates it in place when the handlers or settings change', async () => {
    await (await consumerFor('shop', ['order.created'], 1_000)).ensure();
    const created = await jsm.consumers.info(env.streamName, 'shop');
    expect(created.config).toMatchObject({ durable_name: 'shop', filter_subject: naming.event('order.created'), ack_wait: 1e9, max_deliver: -1 });

    await (await consumerFor('shop', ['order.created', 'order.cancelled'], 2_000)).ensure();
    const widened = await jsm.consumers.info(env.streamName, 'shop');
    expect(widened.created).toEqual(created.created); // the same consumer (position kept), not a new one
    expect(widened.config.ack_wait).toBe(2e9);
    // Several types: filter_subjects where the server has it (NATS ≥ 2.10), else the events wildcard.
    const filters = widened.config.filter_subjects?.length ? [...widened.config.filter_subjects].sort() : [widened.config.filter_subject];
    expect([[naming.event('order.cancelled'), naming.event('order.created')], [naming.eventsWildcard]]).toContainEqual(filters);

    await (await consumerFor('shop', ['order.cancelled'], 1_500)).ensure();
    const narrowed = await jsm.consumers.info(env.streamName, 'shop');
    expect(narrowed.created).toEqual(created.created);
    expect(narrowed.config.filter_subject).toBe(naming.event('order.cancelled'));
    expect(narrowed.config.filter_subjects ?? []).toEqual([]);
    expect(narrowed.config.ack_wait).toBe(1.5e9);
  });

  it("filters on the whole events wildcard when a handler takes every type ('*')", async () => {
    await (await consumerFor('audit', [ANY_EVENT, 'order.created'], 1_000)).ensure();
    const info = await jsm.consumers.info(env.streamName, 'audit');
    expect(info.config.filter_subject).toBe(naming.eventsWildcard);
  });

  it('acks unread the events of types nobody here handles (what the events wildcard brings on a server without filter_subjects): never parsed, never parked', async () => {
    // Its DataSource is never touched: parking (or an inbox write) would throw, and the message would come back.
    const consumer = await consumerFor('orders', ['order.created', 'order.cancelled'], 1_000);
    await consumer.start();
    try {
      const js = jetstream(await env.nats());
      await js.publish(naming.event('order.shipped'), 'not even JSON');
      await js.publish(naming.event('order.shipped'), JSON.stringify({ id: 'x', type: 'order.shipped', data: {} }));
      const settled = async () => {
        const info = await jsm.consumers.info(env.streamName, 'orders');
        return info.num_pending === 0 && info.num_ack_pending === 0 && info.num_redelivered === 0 ? info : null;
      };
      let info = null;
      for (let i = 0; i < 50 && !info; i++) {
        info = await settled();
        if (!info) await new Promise((r) => setTimeout(r, 100));
      }
      expect(info).toMatchObject({ num_pending: 0, num_ack_pending: 0, num_redelivered: 0 });
    } finally {
      await consumer.stop();
    }
  });

  it('lets replicas that start at the same time all ensure the same durable', async () => {
    const replicas = await Promise.all([1, 2, 3].map(() => consumerFor('billing', ['order.created'], 1_000)));
    await Promise.all(replicas.map((c) => c.ensure()));
    const info = await jsm.consumers.info(env.streamName, 'billing');
    expect(info.config.filter_subject).toBe(naming.event('order.created'));
  });
});
