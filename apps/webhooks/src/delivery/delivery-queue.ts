import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { WebhookAttemptView, WebhookDeliveryView } from '@saas/contracts';
import { SessionConnection } from '@saas/database';
import { filterMatchesSql } from '../endpoints/event-filter.js';
import type { WebhookEndpoint } from '../endpoints/webhook-endpoint.entity.js';
import type { WebhookAttempt } from './webhook-attempt.entity.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';

/** What a delivery is made from: an event as it appeared on the bus (or a test message). */
export interface DeliverableEvent {
  id: string;
  type: string;
  occurred_at: string;
  tenant_id: string | null;
  data: unknown;
}

/** The Standard Webhooks body: `{ type, timestamp, data }`. Fixed when queued, sent as is on every retry. */
export function webhookBody(event: DeliverableEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurred_at, data: event.data });
}

/** A NOTIFY payload is at most 8000 bytes: 36 + 1 per endpoint id. */
const NOTIFY_MAX_ENDPOINTS = 200;

/** One event for one endpoint, as the fan-out queues it. */
export interface QueuedDelivery {
  endpointId: string;
  event: DeliverableEvent;
}

/**
 * The delivery queue: rows in `webhook_deliveries`, written in the caller's transaction. A
 * NOTIFY (sent on commit) wakes the workers of every replica at once, so a new event does not wait
 * for the next poll.
 */
@Injectable()
export class DeliveryQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly listeners = new Set<(endpointIds?: readonly string[]) => void>();
  private listener?: SessionConnection;

  constructor(private readonly ds: DataSource) {}

  private get channel(): string {
    return `webhook_deliveries_${(this.ds.options as { schema?: string }).schema ?? 'public'}`;
  }

  /**
   * The LISTEN session, kept: lost (Postgres restarted), it is opened again, and the workers look
   * for what was queued meanwhile (polling alone covers the gap, only later).
   */
  async onModuleInit(): Promise<void> {
    // One session, however often the hook is called (a second would leak).
    if (this.listener) return;
    let wasUp = false;
    this.listener = new SessionConnection({
      connectionString: (this.ds.options as { url?: string }).url ?? '',
      applicationName: 'webhooks-queue-listener',
      setup: async (client) => {
        client.on('notification', (n) => this.wakeLocal(n.payload ? n.payload.split(',') : undefined));
        await client.query(`LISTEN "${this.channel}"`);
      },
      onUp: () => {
        if (wasUp) this.wakeLocal();
        wasUp = true;
      },
    });
    await this.listener.open();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.close();
  }

  /** Whether NOTIFYs reach this replica now (the LISTEN session is up). */
  get listening(): boolean {
    return this.listener?.up ?? false;
  }

  /** `fn` gets the endpoints that have new deliveries, when the NOTIFY said (undefined: any). */
  onWake(fn: (endpointIds?: readonly string[]) => void): void {
    this.listeners.add(fn);
  }

  /** Wakes the workers of this replica (the others poll, or hear the NOTIFY of an enqueue). */
  wake(): void {
    this.wakeLocal();
  }

  private wakeLocal(endpointIds?: readonly string[]): void {
    for (const fn of this.listeners) fn(endpointIds);
  }

  /** One event for several endpoints (a test message, or a single event's fan-out). */
  async enqueue(tx: EntityManager, endpointIds: readonly string[], event: DeliverableEvent): Promise<void> {
    await this.enqueueMany(
      tx,
      endpointIds.map((endpointId) => ({ endpointId, event })),
    );
  }

  /**
   * Delivery rows and the NOTIFY in one statement of the caller's transaction, whatever the number
   * of events and endpoints (the fan-out's round trips are the queue's throughput). The rows of one
   * transaction share `now()`: `created_at` steps by a microsecond per row in the order given, so
   * an endpoint's deliveries of events with the same `occurred_at` keep the order of the stream. An
   * event already queued for an endpoint is not queued twice.
   */
  async enqueueMany(tx: EntityManager, deliveries: readonly QueuedDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const endpoints = [...new Set(deliveries.map((d) => d.endpointId))];
    // Each event's body once: rows point at it by index.
    const bodies = new Map<DeliverableEvent, number>();
    const events: DeliverableEvent[] = [];
    for (const d of deliveries) {
      if (!bodies.has(d.event)) {
        bodies.set(d.event, events.length + 1);
        events.push(d.event);
      }
    }
    await tx.query(
      `WITH ev AS (
         SELECT * FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::timestamptz[]) WITH ORDINALITY
                AS ev(tenant_id, event_id, event_type, body, occurred_at, n)),
       queued AS (
         INSERT INTO webhook_deliveries (id, endpoint_id, tenant_id, event_id, event_type, body, status, attempts_count, next_attempt_at, occurred_at, created_at)
         SELECT gen_random_uuid(), d.endpoint_id, ev.tenant_id, ev.event_id, ev.event_type, ev.body, 'pending', 0, ev.occurred_at, ev.occurred_at,
                now() + d.ord * interval '1 microsecond'
           FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS d(endpoint_id, ev_n, ord) JOIN ev ON ev.n = d.ev_n
          ORDER BY d.ord
         ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING 1)
       SELECT pg_notify($8, $9) FROM (SELECT 1 FROM queued LIMIT 1) q`,
      [
        deliveries.map((d) => d.endpointId),
        deliveries.map((d) => bodies.get(d.event)!),
        events.map((e) => e.tenant_id),
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => webhookBody(e)),
        events.map((e) => new Date(e.occurred_at)),
        this.channel,
        // The payload names the endpoints (a worker busy with all of them need not look); too many: none.
        endpoints.length <= NOTIFY_MAX_ENDPOINTS ? endpoints.join(',') : '',
      ],
    );
  }

  /**
   * The fan-out of a batch of events, in one statement of the caller's (the inbox's) transaction:
   * each event's matching endpoints (the event's tenant's enabled endpoints and the platform's,
   * whose filter takes its type — `filterMatches`, in SQL), one delivery row each, and the NOTIFY
   * naming the endpoints that got one. One round trip per batch where reading the endpoints first
   * took two. Rows as `enqueueMany` writes them: `created_at` steps a microsecond per row in event
   * order, an event already queued for an endpoint is not queued twice.
   */
  async fanOut(tx: EntityManager, events: readonly DeliverableEvent[]): Promise<void> {
    if (events.length === 0) return;
    await tx.query(
      `WITH ev AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) WITH ORDINALITY
                AS ev(tenant_id, event_id, event_type, body, occurred_at, n)),
       d AS (
         SELECT e.id AS endpoint_id, ev.tenant_id, ev.event_id, ev.event_type, ev.body, ev.occurred_at,
                row_number() OVER (ORDER BY ev.n, e.id) AS ord
           FROM ev JOIN webhook_endpoints e ON e.enabled AND (e.tenant_id = ev.tenant_id OR e.tenant_id IS NULL)
          WHERE ${filterMatchesSql('e.event_types', 'ev.event_type')}),
       queued AS (
         INSERT INTO webhook_deliveries (id, endpoint_id, tenant_id, event_id, event_type, body, status, attempts_count, next_attempt_at, occurred_at, created_at)
         SELECT gen_random_uuid(), d.endpoint_id, d.tenant_id, d.event_id, d.event_type, d.body, 'pending', 0, d.occurred_at, d.occurred_at,
                now() + d.ord * interval '1 microsecond'
           FROM d ORDER BY d.ord
         ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING endpoint_id)
       -- The payload names the endpoints (a worker busy with all of them need not look); too many: none.
       SELECT pg_notify($6, CASE WHEN count(DISTINCT endpoint_id) <= ${NOTIFY_MAX_ENDPOINTS} THEN string_agg(DISTINCT endpoint_id::text, ',') ELSE '' END)
         FROM queued HAVING count(*) > 0`,
      [events.map((e) => e.tenant_id), events.map((e) => e.id), events.map((e) => e.type), events.map((e) => webhookBody(e)), events.map((e) => new Date(e.occurred_at)), this.channel],
    );
  }

  /** The same for one endpoint, returning its delivery (a test message, shown to the caller). */
  async enqueueOne(tx: EntityManager, endpoint: WebhookEndpoint, event: DeliverableEvent): Promise<WebhookDelivery> {
    await this.enqueue(tx, [endpoint.id], event);
    return tx.getRepository(WebhookDelivery).findOneByOrFail({ endpointId: endpoint.id, eventId: event.id });
  }

  view(d: WebhookDelivery, attempts: WebhookAttempt[]): WebhookDeliveryView {
    return {
      id: d.id,
      webhook_id: d.eventId,
      endpoint_id: d.endpointId,
      tenant_id: d.tenantId,
      event_id: d.eventId,
      event_type: d.eventType,
      status: d.status,
      attempts_count: d.attemptsCount,
      next_attempt_at: d.status === 'pending' ? (d.nextAttemptAt?.toISOString() ?? null) : null,
      last_status_code: d.lastStatusCode,
      occurred_at: d.occurredAt.toISOString(),
      created_at: d.createdAt.toISOString(),
      completed_at: d.completedAt?.toISOString() ?? null,
      attempts: attempts.map(
        (a): WebhookAttemptView => ({
          attempted_at: a.attemptedAt.toISOString(),
          status_code: a.statusCode,
          latency_ms: a.latencyMs,
          response_snippet: a.responseSnippet,
          error: a.error,
        }),
      ),
    };
  }
}
