import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import type { WebhookAttemptView, WebhookDeliveryView } from '@saas/contracts';
import { openConnection } from '@saas/database';
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

/**
 * The delivery queue: rows in `webhook_deliveries`, written in the caller's transaction. A
 * NOTIFY (sent on commit) wakes the workers of every replica at once, so a new event does not wait
 * for the next poll.
 */
@Injectable()
export class DeliveryQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly listeners = new Set<(endpointIds?: readonly string[]) => void>();
  private listener?: pg.Client;

  constructor(private readonly ds: DataSource) {}

  private get channel(): string {
    return `webhook_deliveries_${(this.ds.options as { schema?: string }).schema ?? 'public'}`;
  }

  async onModuleInit(): Promise<void> {
    try {
      const client = await openConnection({
        connectionString: (this.ds.options as { url?: string }).url ?? '',
        applicationName: 'webhooks-queue-listener',
        onLost: () => (this.listener = undefined),
      });
      client.on('notification', (n) => this.wakeLocal(n.payload ? n.payload.split(',') : undefined));
      await client.query(`LISTEN "${this.channel}"`);
      this.listener = client;
    } catch {
      // Polling alone still delivers, only later.
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.end().catch(() => undefined);
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

  /**
   * One delivery row per endpoint, and the NOTIFY, in one statement of the caller's transaction (the
   * fan-out runs once per event on the bus: its round trips are the queue's throughput). An event
   * already queued for an endpoint is not queued twice.
   */
  async enqueue(tx: EntityManager, endpointIds: readonly string[], event: DeliverableEvent): Promise<void> {
    if (endpointIds.length === 0) return;
    await tx.query(
      `WITH queued AS (
         INSERT INTO webhook_deliveries (id, endpoint_id, tenant_id, event_id, event_type, body, status, attempts_count, next_attempt_at, occurred_at)
         SELECT gen_random_uuid(), e, $2::uuid, $3::uuid, $4::text, $5::text, 'pending', 0, $6::timestamptz, $6::timestamptz FROM unnest($1::uuid[]) AS e
         ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING 1)
       SELECT pg_notify($7, $8) FROM (SELECT 1 FROM queued LIMIT 1) q`,
      // The payload names the endpoints (a worker busy with all of them need not look); too many: none.
      [endpointIds, event.tenant_id, event.id, event.type, webhookBody(event), new Date(event.occurred_at), this.channel, endpointIds.length <= NOTIFY_MAX_ENDPOINTS ? endpointIds.join(',') : ''],
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
