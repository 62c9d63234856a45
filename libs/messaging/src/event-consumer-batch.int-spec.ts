import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { DataSource, EntityManager } from 'typeorm';
import { createEnvelope, type EventEnvelope } from '@saas/contracts';
import { createServiceDataSource, runMigrations } from '@saas/database';
import { createLogger } from '@saas/observability';
import { TestEnv, waitFor } from '@saas/testing';
import { MESSAGING_ENTITIES } from './entities.js';
import { ANY_EVENT, EventConsumer } from './event-consumer.js';
import type { RegisteredEventHandler } from './event-handler.decorator.js';
import { CreateMessagingTables1763800000000 } from './messaging.migration.js';
import { SubjectNaming } from './naming.js';
import { ensureEventStream } from './stream.js';

const logger = createLogger('event-consumer-batch-test', 'silent');

/**
 * EVENT_BATCH_SIZE > 1: events that arrived together are handled in one transaction, and
 * everything the one-at-a-time consumer promises still holds — each event's effect exactly once,
 * a tenant's events in stream order, a bad event retried and parked alone.
 */
describe('EventConsumer in batches (real Postgres and JetStream)', () => {
  let env: TestEnv;
  let ds: DataSource;
  let consumer: EventConsumer | undefined;
  const batches: number[] = [];

  beforeAll(async () => {
    env = await TestEnv.create('consumer-batch');
    ds = createServiceDataSource({ schema: 'batching', url: env.databaseUrl, entities: MESSAGING_ENTITIES, migrations: [CreateMessagingTables1763800000000] });
    await ds.initialize();
    await runMigrations(ds);
    await ds.query(`CREATE TABLE effects (n bigserial PRIMARY KEY, event_id uuid NOT NULL, tenant text NOT NULL, seq int NOT NULL, via text NOT NULL)`);
    await ensureEventStream(await jetstreamManager(await env.nats()), new SubjectNaming(env.prefix));
  }, 30_000);

  afterAll(async () => {
    await consumer?.stop();
    await ds?.destroy();
    await env?.cleanup();
  }, 30_000);

  it('handles a backlog in batches: every effect once, each tenant in order, a poisoned event parked alone, a doubled message once', async () => {
    const nc = await env.nats();
    const js = jetstream(nc);
    const naming = new SubjectNaming(env.prefix);
    const tenants = [randomUUID(), randomUUID(), randomUUID()];
    const published: EventEnvelope[] = [];
    // A backlog before the consumer starts, so batches form.
    for (let seq = 0; seq < 90; seq++) {
      const tenantId = tenants[seq % 3]!;
      const e = createEnvelope({ type: 'order.placed', tenantId, data: { tenant_id: tenantId, seq, poison: seq === 40 } });
      published.push(e);
      await js.publish(naming.event(e.type), JSON.stringify(e), { msgID: e.id });
    }
    // The same event again under another message id (JetStream's dedupe window does not see it).
    await js.publish(naming.event('order.placed'), JSON.stringify(published[10]), { msgID: randomUUID() });

    const record = async (e: EventEnvelope, tx: EntityManager, via: string) => {
      const d = e.data as { seq: number; poison: boolean };
      if (d.poison) throw new Error('poisoned event');
      await tx.query(`INSERT INTO effects (event_id, tenant, seq, via) VALUES ($1, $2, $3, $4)`, [e.id, e.tenant_id, d.seq, via]);
    };
    const handlers: RegisteredEventHandler[] = [
      { type: 'order.placed', name: 'one.record', handle: (e: EventEnvelope, tx: EntityManager) => record(e, tx, 'one') },
      {
        type: ANY_EVENT,
        name: 'many.record',
        batch: true,
        handle: async (events: EventEnvelope[], tx: EntityManager) => {
          batches.push(events.length);
          for (const e of events) await record(e, tx, 'many');
        },
      },
    ];
    consumer = new EventConsumer(ds, js, await jetstreamManager(nc), naming, logger, {
      durable: 'batching',
      handlers,
      maxDeliver: 2,
      backoffMs: 50,
      concurrency: 2,
      batchSize: 16,
    });
    await consumer.start();

    await waitFor(async () => (await ds.query(`SELECT count(*)::int AS n FROM effects`))[0].n === 89 * 2, 'every effect', 30_000);
    await waitFor(async () => (await ds.query(`SELECT count(*)::int AS n FROM dead_letters`))[0].n === 1, 'the poisoned event parked', 30_000);

    const effects: Array<{ event_id: string; tenant: string; seq: number; via: string }> = await ds.query(`SELECT event_id, tenant, seq, via FROM effects ORDER BY n`);
    for (const via of ['one', 'many']) {
      const mine = effects.filter((x) => x.via === via);
      // Exactly once each (the doubled message included), the poisoned one never.
      expect(mine.map((x) => x.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 90 }, (_, i) => i).filter((i) => i !== 40));
      for (const t of tenants) {
        const seqs = mine.filter((x) => x.tenant === t).map((x) => x.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }
    }
    const [parked] = await ds.query(`SELECT event_id, error FROM dead_letters`);
    expect(parked).toMatchObject({ event_id: published[40]!.id, error: 'poisoned event' });
    expect((await ds.query(`SELECT count(*)::int AS n FROM inbox`))[0].n).toBe(89);
    // Batches did form (and a batch handler got one event at a time once its batch had failed).
    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(batches).toContain(1);
  });

  it('retries a transient failure in place: through a blip (Postgres gone for half a second) each tenant keeps its order', async () => {
    await consumer?.stop();
    consumer = undefined;
    const nc = await env.nats();
    const js = jetstream(nc);
    const naming = new SubjectNaming(env.prefix);
    await ds.query(`CREATE TABLE blip_effects (n bigserial PRIMARY KEY, tenant text NOT NULL, seq int NOT NULL)`);
    const tenants = [randomUUID(), randomUUID()];
    let downUntil = 0;
    const handlers: RegisteredEventHandler[] = [
      {
        type: 'order.shipped',
        name: 'blip.record',
        batch: true,
        handle: async (events: EventEnvelope[], tx: EntityManager) => {
          // The database "goes away" when event 20 first arrives, for 500 ms: every statement fails as a restart's would.
          if (downUntil === 0 && events.some((e) => (e.data as { seq: number }).seq === 20)) downUntil = Date.now() + 500;
          if (Date.now() < downUntil) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
          for (const e of events) await tx.query(`INSERT INTO blip_effects (tenant, seq) VALUES ($1, $2)`, [e.tenant_id, (e.data as { seq: number }).seq]);
        },
      },
    ];
    consumer = new EventConsumer(ds, js, await jetstreamManager(nc), naming, logger, { durable: 'blips', handlers, maxDeliver: 5, backoffMs: 50, concurrency: 2, batchSize: 4 });
    await consumer.start();
    for (let seq = 0; seq < 60; seq++) {
      const tenantId = tenants[seq % 2]!;
      const e = createEnvelope({ type: 'order.shipped', tenantId, data: { tenant_id: tenantId, seq } });
      await js.publish(naming.event(e.type), JSON.stringify(e), { msgID: e.id });
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor(async () => (await ds.query(`SELECT count(*)::int AS n FROM blip_effects`))[0].n === 60, 'every effect', 30_000);
    expect(downUntil).toBeGreaterThan(0);
    const effects: Array<{ tenant: string; seq: number }> = await ds.query(`SELECT tenant, seq FROM blip_effects ORDER BY n`);
    for (const t of tenants) {
      const seqs = effects.filter((x) => x.tenant === t).map((x) => x.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs).toHaveLength(30);
    }
  });
});
