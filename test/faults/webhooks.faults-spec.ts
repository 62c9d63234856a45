import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { Webhook } from 'standardwebhooks';
import { createEnvelope, EventTypes, type EventEnvelope } from '@saas/contracts';
import { waitFor, WebhookReceiver } from '@saas/testing';
import { FaultPlatform, report } from './fault-platform.js';

jest.setTimeout(240_000);

const EVENTS = 300;
const RATE = 100;

/**
 * A stream of events on the bus while the webhooks service, Postgres or NATS fails under it. What a
 * receiver must see afterwards: every event, under its one webhook-id (the event's id), signed so
 * that the official `standardwebhooks` package verifies it; nothing left pending. A message may
 * arrive twice across a crash (at least once, same webhook-id), but not many times over.
 */
describe('webhook deliveries through faults', () => {
  let platform: FaultPlatform;
  const receivers: Array<{ receiver: WebhookReceiver; verifier: Webhook; endpointId: string }> = [];

  beforeAll(async () => {
    platform = await FaultPlatform.start('faults_wh');
    // Two platform endpoints taking every tenant's events: each is its own queue.
    for (const description of ['fault stream a', 'fault stream b']) {
      const receiver = await new WebhookReceiver().start();
      const created = await platform.api('POST', '/api/v1/webhooks/endpoints', { body: { url: receiver.url, description, event_types: [EventTypes.TenantUpdated] } });
      expect(created.status).toBe(201);
      receivers.push({ receiver, verifier: new Webhook(created.body.secret), endpointId: created.body.id });
    }
  }, 120_000);

  afterAll(async () => {
    for (const r of receivers) await r.receiver.stop();
    await platform?.stop();
  }, 60_000);

  /**
   * Publishes EVENTS events at RATE/s, in order, as a service's outbox relay does: one refused (NATS
   * down) is published again, same id, until it is taken, and the ones after it wait.
   */
  async function stream(label: string, fault: { afterMs: number; run: () => Promise<void> }): Promise<{ events: EventEnvelope[]; faultEndedAt: number }> {
    const nc = await platform.env.nats();
    const js = jetstream(nc);
    const tenants = Array.from({ length: 5 }, () => randomUUID());
    const events: EventEnvelope[] = [];
    publishedAt.clear();
    const publish = async (envelope: EventEnvelope) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          await js.publish(`${platform.env.prefix}events.${envelope.type}`, JSON.stringify(envelope), { msgID: envelope.id, timeout: 2_000 });
          publishedAt.set(envelope.id, Date.now());
          return;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    let faultEndedAt = 0;
    const faultDone = new Promise<void>((resolve, reject) =>
      setTimeout(() => {
        fault.run().then(() => {
          faultEndedAt = Date.now();
          resolve();
        }, reject);
      }, fault.afterMs),
    );
    const started = Date.now();
    let published = Promise.resolve();
    for (let i = 0; i < EVENTS; i++) {
      const wait = started + (i * 1000) / RATE - Date.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const tenantId = tenants[i % tenants.length]!;
      const envelope = createEnvelope({ type: EventTypes.TenantUpdated, tenantId, data: { tenant_id: tenantId, seq: i, name: `${label} ${i}`, plan: 'standard', changes: { name: `${label} ${i}` } } });
      events.push(envelope);
      published = published.then(() => publish(envelope));
    }
    await published;
    await faultDone;
    return { events, faultEndedAt };
  }

  /** When each event of the current stream was taken by JetStream. */
  const publishedAt = new Map<string, number>();

  /** What each receiver got of `events`: none missing, one webhook-id each, every signature good; no delivery row left unfinished. */
  async function delivered(label: string, events: EventEnvelope[], faultEndedAt: number, options: { heldBefore?: number } = {}): Promise<void> {
    const ids = new Set(events.map((e) => e.id));
    const ofThese = (r: WebhookReceiver) => r.requests.filter((q) => ids.has(String(q.headers['webhook-id'])));
    await waitFor(() => receivers.every(({ receiver }) => new Set(ofThese(receiver).map((q) => q.headers['webhook-id'])).size === ids.size), `${label}: every event at both endpoints`, 90_000, 200).catch(() => undefined);
    const recoveredAt = Date.now();
    let duplicates = 0;
    let reordered = 0;
    const problems: string[] = [];
    for (const [n, { receiver, verifier, endpointId }] of receivers.entries()) {
      const got = ofThese(receiver);
      const distinct = new Set(got.map((q) => String(q.headers['webhook-id'])));
      duplicates += got.length - distinct.size;
      const missing = events.filter((e) => !distinct.has(e.id)).length;
      if (missing > 0) problems.push(`endpoint ${n}: ${missing} of ${events.length} events never arrived`);
      for (const q of got) {
        try {
          const body = verifier.verify(q.body, {
            'webhook-id': String(q.headers['webhook-id']),
            'webhook-timestamp': String(q.headers['webhook-timestamp']),
            'webhook-signature': String(q.headers['webhook-signature']),
          }) as { type: string; data: { seq: number } };
          const sent = events.find((e) => e.id === q.headers['webhook-id'])!;
          if (body.type !== sent.type || body.data.seq !== (sent.data as { seq: number }).seq) problems.push(`endpoint ${n}: ${sent.id} arrived with another body`);
        } catch (err) {
          problems.push(`endpoint ${n}: a bad signature (${String(err)})`);
        }
      }
      // A tenant's events reach an endpoint in their order (one request in flight per endpoint, a
      // tenant's events in stream order; a resend after a crash may repeat some, never reorder the
      // first arrivals). Across tenants a platform endpoint gets them as they are fanned out.
      const first = new Map<string, { id: string; tenant: string; seq: number }>();
      for (const q of got) {
        const id = String(q.headers['webhook-id']);
        const body = JSON.parse(q.body) as { data: { tenant_id: string; seq: number } };
        if (!first.has(id)) first.set(id, { id, tenant: body.data.tenant_id, seq: body.data.seq });
      }
      const lastOf = new Map<string, number>();
      for (const { id, tenant, seq } of first.values()) {
        if (seq < (lastOf.get(tenant) ?? -1)) {
          // JetStream gives a dead consumer's unacknowledged messages again only after their ack
          // wait, and the ones behind them flow meanwhile: what the killed process held, and what
          // the server handed its dangling pull requests until it was back, may come late.
          if (options.heldBefore !== undefined && publishedAt.get(id)! < options.heldBefore) reordered++;
          else problems.push(`endpoint ${n}: tenant ${tenant}'s event ${seq} after ${lastOf.get(tenant)}`);
        }
        lastOf.set(tenant, Math.max(seq, lastOf.get(tenant) ?? -1));
      }
      const [{ unfinished }] = await platform.query<{ unfinished: number }>(
        `SELECT count(*)::int AS unfinished FROM webhooks.webhook_deliveries WHERE endpoint_id = $1 AND event_id = ANY($2::uuid[]) AND status <> 'succeeded'`,
        [endpointId, [...ids]],
      );
      if (unfinished > 0) problems.push(`endpoint ${n}: ${unfinished} deliveries not succeeded`);
    }
    problems.push(...platform.deadProcesses());
    report({ case: label, created: events.length * receivers.length, active: events.length * receivers.length - problems.length, duplicates, lost_events: 0, recover_ms: Math.max(0, recoveredAt - faultEndedAt), ...(options.heldBefore !== undefined ? { reordered } : {}) });
    expect(problems).toEqual([]);
    // Within seconds of the fault's end, not when the leases run out (25 s here): a dead replica's
    // leases are free at once, and outcomes are recorded once Postgres is back.
    expect(recoveredAt - faultEndedAt).toBeLessThan(10_000);
    // At least once, not at most once: a crash may resend what was sent and not yet recorded (at most
    // a run's unstored successes per endpoint, RUN_UNSTORED_MAX), nothing more.
    expect(duplicates).toBeLessThanOrEqual(16 * receivers.length);
  }

  it(`webhooks SIGKILLed 1 s into ${EVENTS} events to two endpoints, restarted 0.5 s later: every event arrives at each endpoint under one webhook-id, signed; only what it held before its restart comes out of order`, async () => {
    const { events, faultEndedAt } = await stream('webhooks SIGKILLed mid-stream', {
      afterMs: 1_000,
      run: async () => {
        await platform.kill('webhooks', 'SIGKILL');
        await new Promise((r) => setTimeout(r, 500));
        await platform.startService('webhooks');
      },
    });
    await delivered('webhooks SIGKILLed mid-stream', events, faultEndedAt, { heldBefore: faultEndedAt });
  });

  it(`Postgres down 1.5 s in the middle of ${EVENTS} events: every event arrives at each endpoint under one webhook-id, signed, in each tenant's order`, async () => {
    const { events, faultEndedAt } = await stream('Postgres restarted mid-stream', {
      afterMs: 1_000,
      run: () => platform.pg.restart(1_500),
    });
    await delivered('Postgres restarted mid-stream (webhooks)', events, faultEndedAt);
    expect(await platform.serviceReady('webhooks')).toBe(200);
  });

  it(`NATS killed in the middle of ${EVENTS} events and restarted 1.5 s later: every event arrives at each endpoint under one webhook-id, signed, in each tenant's order`, async () => {
    const { events, faultEndedAt } = await stream('NATS killed mid-stream', {
      afterMs: 1_000,
      run: async () => {
        await platform.nats.kill('SIGKILL');
        await new Promise((r) => setTimeout(r, 1_500));
        await platform.nats.restart();
      },
    });
    await delivered('NATS killed mid-stream (webhooks)', events, faultEndedAt);
  });
});
