import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import type { EventEnvelope } from '@saas/contracts';
import { ANY_EVENT, OnEvent } from '@saas/messaging';
import { filterMatches } from '../endpoints/event-filter.js';
import { DeliveryQueue } from './delivery-queue.js';

/**
 * Every event on the bus becomes one delivery per matching endpoint: the event's tenant's enabled
 * endpoints whose filter takes its type, plus the platform's (which take every tenant's events).
 * Written in the inbox transaction: the event is acked only once its deliveries are stored.
 */
@Injectable()
export class DeliveryFanout {
  constructor(private readonly queue: DeliveryQueue) {}

  @OnEvent(ANY_EVENT)
  async fanOut(event: EventEnvelope, tx: EntityManager): Promise<void> {
    // Runs once per event on the bus: only what the filter needs, no entities.
    const candidates: Array<{ id: string; event_types: string[] }> = await tx.query(
      `SELECT id, event_types FROM webhook_endpoints WHERE enabled AND (tenant_id = $1 OR tenant_id IS NULL)`,
      [event.tenant_id],
    );
    await this.queue.enqueue(
      tx,
      candidates.filter((e) => filterMatches(e.event_types, event.type)).map((e) => e.id),
      event,
    );
  }
}
