import { randomUUID } from 'node:crypto';
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import type { WebhookAttemptView, WebhookDeliveryView } from '@saas/contracts';
import type { WebhookEndpoint } from '../endpoints/webhook-endpoint.entity.js';
import type { WebhookAttempt } from './webhook-attempt.entity.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import { openConnection } from '@saas/database';

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

/**
 * The delivery queue: rows in `webhook_deliveries`, written in the caller's transaction. A
 * NOTIFY (sent on commit) wakes the workers of every replica at once, so a new event does not wait
 * for the next poll.
 */
@Injectable()
export class DeliveryQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly listeners = new Set<() => void>();
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
      client.on('notification', () => this.wakeLocal());
      await client.query(`LISTEN "${this.channel}"`);
      this.listener = client;
    } catch {
      // Polling alone still delivers, only later.
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.end().catch(() => undefined);
  }

  onWake(fn: () => void): void {
    this.listeners.add(fn);
  }

  /** Wakes the workers of this replica (the others poll, or hear the NOTIFY of an enqueue). */
  wake(): void {
    this.wakeLocal();
  }

  private wakeLocal(): void {
    for (const fn of this.listeners) fn();
  }

  async enqueue(tx: EntityManager, endpoints: readonly WebhookEndpoint[], event: DeliverableEvent): Promise<WebhookDelivery[]> {
    if (endpoints.length === 0) return [];
    const body = webhookBody(event);
    const occurredAt = new Date(event.occurred_at);
    const rows = endpoints.map((e) =>
      tx.create(WebhookDelivery, {
        id: randomUUID(),
        endpointId: e.id,
        tenantId: event.tenant_id,
        eventId: event.id,
        eventType: event.type,
        body,
        status: 'pending',
        attemptsCount: 0,
        nextAttemptAt: occurredAt,
        occurredAt,
      }),
    );
    await tx.createQueryBuilder().insert().into(WebhookDelivery).values(rows).orIgnore().execute();
    await tx.query('SELECT pg_notify($1, $2)', [this.channel, event.id]);
    return tx.getRepository(WebhookDelivery).find({ where: rows.map((r) => ({ endpointId: r.endpointId, eventId: r.eventId })) });
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
