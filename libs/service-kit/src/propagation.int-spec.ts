import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import type pg from 'pg';
import { initTracing, inSpan, shutdownTracing, SpanKind, workContext } from '@saas/observability';
import { TestEnv, waitFor, type ManagedProcess } from '@saas/testing';
import { count, ensureBuilt, killAll, startFixture } from '../test/fixtures/harness.js';
import { SubjectNaming } from '@saas/messaging';
import { RpcClient } from '@saas/messaging';

// Hooks start real processes; the project's testTimeout does not reach hooks.
jest.setTimeout(60_000);

describe('trace context and correlation id across NATS', () => {
  let env: TestEnv;
  let db: pg.Client;
  const procs: ManagedProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    // This process plays the gateway: it has a tracer, so RpcClient injects a real traceparent.
    initTracing({ service: 'propagation-test' });
    env = await TestEnv.create('propagation');
    db = await env.pg();
    await startFixture('orders', env.env(), procs);
    await startFixture('fulfilment', env.env({ EVENT_ACK_WAIT_MS: '2000' }), procs);
  });

  afterAll(async () => {
    await killAll(procs);
    await db?.end();
    await env?.cleanup();
    await shutdownTracing();
  });

  it('carries the caller trace and correlation id from an RPC into the event it causes and on to its consumer', async () => {
    const correlationId = `corr-${randomUUID()}`;
    const rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 5_000);
    const { traceId, order } = await workContext.run({ correlationId }, () =>
      inSpan('test request', SpanKind.SERVER, {}, async (span) => ({
        traceId: span.spanContext().traceId,
        order: await (rpc.callRaw('rpc.orders.create', { sku: 'SKU-6', qty: 1 }) as Promise<{ id: string; event_id: string; correlation_id: string | null }>),
      })),
    );
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe('0'.repeat(32));

    // RPC path: the handler ran in the caller's correlation (it stamped the envelope with it).
    expect(order.correlation_id).toBe(correlationId);

    // Event path: the JetStream message carries both in its headers, and the envelope the id.
    const jsm = await jetstreamManager(await env.nats());
    const stored = await waitFor(() => jsm.streams.getMessage(env.streamName, { seq: 1 }).catch(() => null), 'the event on the stream');
    expect(stored.header.get('Nats-Msg-Id')).toBe(order.event_id);
    expect(stored.header.get('x-correlation-id')).toBe(correlationId);
    const traceparent = stored.header.get('traceparent');
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);
    expect(traceparent.split('-')[1]).toBe(traceId);
    const envelope = stored.json<{ id: string; correlation_id: string }>();
    expect(envelope.id).toBe(order.event_id);
    expect(envelope.correlation_id).toBe(correlationId);

    // The consumer handled it inside the same trace and correlation.
    await waitFor(async () => (await count(db, 'fulfilment.order_effects WHERE order_id = $1', [order.id])) === 1, 'the effect of the event');
    const { rows } = await db.query('SELECT correlation_id, trace_id FROM fulfilment.order_effects WHERE order_id = $1', [order.id]);
    expect(rows).toEqual([{ correlation_id: correlationId, trace_id: traceId }]);
  });
});
