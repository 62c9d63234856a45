import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { DataSource } from 'typeorm';
import { createServiceDataSource, pendingSchemaChanges, runMigrations } from '@saas/database';
import { createLogger } from '@saas/observability';
import { TestEnv, waitFor } from '@saas/testing';
import { EventTypes, eventContractViolation } from '@saas/contracts';
import { fulfilmentEntities, fulfilmentMigrations } from '../test/fixtures/fulfilment.module.js';
import { ordersEntities, ordersMigrations } from '../test/fixtures/orders.module.js';
import { MESSAGING_ENTITIES } from '@saas/messaging';
import { CreateMessagingTables1763800000000 } from '@saas/messaging';
import { SubjectNaming } from '@saas/messaging';
import { EventOutbox, OutboxRelay } from '@saas/messaging';
import { ensureEventStream } from '@saas/messaging';

// Hooks start real processes; the project's testTimeout does not reach hooks.
jest.setTimeout(60_000);

const logger = createLogger('outbox-relay-test', 'silent');

/** A JetStream client that records the msgID of every publish it makes (how we see double publishing). */
function recording(js: JetStreamClient, published: string[]): JetStreamClient {
  return new Proxy(js, {
    get(target, prop, receiver) {
      if (prop === 'publish') {
        return (subject: string, data: string, opts: { msgID?: string }) => {
          published.push(opts?.msgID ?? '?');
          return target.publish(subject, data, opts);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('messaging schema', () => {
  let env: TestEnv;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    env = await TestEnv.create('msg-schema');
  });

  afterAll(async () => {
    await Promise.all(sources.map((ds) => ds.destroy().catch(() => undefined)));
    await env.cleanup();
  });

  it.each([
    ['messaging only', 'bare', [], []],
    ['orders fixture', 'orders', ordersEntities, ordersMigrations],
    ['fulfilment fixture', 'fulfilment', fulfilmentEntities, fulfilmentMigrations],
  ] as const)('entities and migrations agree on a fresh schema (%s)', async (_label, schema, entities, migrations) => {
    const ds = createServiceDataSource({
      schema,
      url: env.databaseUrl,
      entities: [...MESSAGING_ENTITIES, ...entities],
      migrations: [CreateMessagingTables1763800000000, ...migrations],
    });
    sources.push(ds);
    await ds.initialize();
    const ran = await runMigrations(ds);
    expect(ran[0]).toBe('CreateMessagingTables1763800000000');
    expect(await pendingSchemaChanges(ds)).toEqual([]);
  });
});

describe('OutboxRelay replicas', () => {
  let env: TestEnv;
  const sources: DataSource[] = [];
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    env = await TestEnv.create('outbox-relay');
  });

  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop().catch(() => undefined)));
    await Promise.all(sources.map((ds) => ds.destroy().catch(() => undefined)));
    await env.cleanup();
  });

  it('two relays on one schema publish 200 rows exactly once each, in outbox order', async () => {
    const naming = new SubjectNaming(env.prefix);
    const nc = await env.nats();
    await ensureEventStream(await jetstreamManager(nc), naming);
    const open = async () => {
      const ds = createServiceDataSource({
        schema: 'relay',
        url: env.databaseUrl,
        entities: MESSAGING_ENTITIES,
        migrations: [CreateMessagingTables1763800000000],
        poolSize: 4,
      });
      sources.push(ds);
      await ds.initialize();
      await runMigrations(ds);
      return ds;
    };
    const [a, b] = [await open(), await open()];

    const outbox = new EventOutbox(naming, 'relay');
    const written: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      await a.transaction(async (tx) => {
        for (let i = 0; i < 20; i++) written.push((await outbox.add(tx, { type: 'order.created', data: { n: batch * 20 + i } })).id);
      });
    }

    const published: string[] = [];
    const js = jetstream(nc);
    for (const ds of [a, b]) {
      relays.push(new OutboxRelay(ds, recording(js, published), logger, { batchSize: 10, pollMs: 20 }));
    }
    await Promise.all(relays.map((r) => r.start()));
    await waitFor(async () => (await relays[0]!.backlog()) === 0, 'the outbox backlog to drain', 20_000);
    await Promise.all(relays.map((r) => r.stop()));

    expect(published).toHaveLength(200);
    expect(new Set(published).size).toBe(200);
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(env.streamName);
    expect(info.state.messages).toBe(200);
    const inStream: string[] = [];
    for (let seq = 1; seq <= 200; seq++) {
      const msg = await jsm.streams.getMessage(env.streamName, { seq });
      inStream.push(msg!.header.get('Nats-Msg-Id'));
    }
    expect(inStream).toEqual(written);
    const [{ unpublished }] = await a.query('SELECT count(*)::int AS unpublished FROM outbox WHERE published_at IS NULL');
    expect(unpublished).toBe(0);
  });

  it('refuses, with the event catalogue, an event whose producer left out a required field (the transaction writes nothing)', async () => {
    const naming = new SubjectNaming(env.prefix);
    const ds = createServiceDataSource({ schema: 'contract', url: env.databaseUrl, entities: MESSAGING_ENTITIES, migrations: [CreateMessagingTables1763800000000], poolSize: 2 });
    sources.push(ds);
    await ds.initialize();
    await runMigrations(ds);
    // The catalogue the services' outboxes are built with (bootstrap).
    const outbox = new EventOutbox(naming, 'contract', eventContractViolation);
    const member = { tenant_id: '6f1c1e52-6f1f-4e0b-9a43-0b8c58f2a1a1', user_id: '0b8c58f2-6f1f-4e0b-9a43-6f1c1e52a1a1', role: 'member' };
    await ds.transaction((tx) => outbox.add(tx, { type: EventTypes.TenantMemberAdded, data: member }));

    const { user_id: _left_out, ...withoutUser } = member;
    await expect(ds.transaction((tx) => outbox.add(tx, { type: EventTypes.TenantMemberAdded, data: withoutUser }))).rejects.toThrow(/tenant\.member_added data does not satisfy TenantMemberEventData: user_id/);
    await expect(ds.transaction((tx) => outbox.add(tx, { type: 'tenant.renamed', data: member }))).rejects.toThrow(/not an event type of the catalogue/);
    const rows: Array<{ type: string }> = await ds.query('SELECT type FROM outbox');
    expect(rows.map((r) => r.type)).toEqual([EventTypes.TenantMemberAdded]);
  });
});
