import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import type { EventEnvelope } from '@saas/contracts';
import { ANY_EVENT, OnEvent } from '@saas/messaging';
import { filterMatches } from '../endpoints/event-filter.js';
import { DeliveryQueue, type QueuedDelivery } from './delivery-queue.js';

/**
 * Every event on the bus becomes one delivery per matching endpoint: the event's tenant's enabled
 * endpoints whose filter takes its type, plus the platform's (which take every tenant's events).
 * Written in the inbox transaction: an event is acked only once its deliveries are stored. The
 * consumer hands over a batch of events (EVENT_BATCH_SIZE) at once: one read of the endpoints of
 * every tenant in it, one insert of every delivery, in stream order.
 */
@Injectable()
export class DeliveryFanout {
  constructor(private readonly queue: DeliveryQueue) {}

  @OnEvent(ANY_EVENT, { batch: true })
  async fanOut(events: EventEnvelope[], tx: EntityManager): Promise<void> {
    const tenants = [...new Set(events.map((e) => e.tenant_id).filter((t): t is string => !!t))];
    // Runs for every event on the bus: only what the filter needs, no entities.
    const candidates: Array<{ id: string; tenant_id: string | null; event_types: string[] }> = await tx.query(
      `SELECT id, tenant_id, event_types FROM webhook_endpoints WHERE enabled AND (tenant_id = ANY($1::uuid[]) OR tenant_id IS NULL)`,
      [tenants],
    );
    const deliveries: QueuedDelivery[] = [];
    for (const event of events) {
      for (const e of candidates) {
        if ((e.tenant_id === null || e.tenant_id === event.tenant_id) && filterMatches(e.event_types, event.type)) deliveries.push({ endpointId: e.id, event });
      }
    }
    await this.queue.enqueueMany(tx, deliveries);
  }
}
