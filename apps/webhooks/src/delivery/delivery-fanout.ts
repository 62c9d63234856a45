import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import type { EventEnvelope } from '@saas/contracts';
import { ANY_EVENT, OnEvent } from '@saas/messaging';
import { DeliveryQueue } from './delivery-queue.js';

/**
 * Every event on the bus becomes one delivery per matching endpoint: the event's tenant's enabled
 * endpoints whose filter takes its type, plus the platform's (which take every tenant's events).
 * Written in the inbox transaction: an event is acked only once its deliveries are stored. The
 * consumer hands over a batch of events (EVENT_BATCH_SIZE) at once: one statement matches the
 * endpoints of every event in it and inserts every delivery, in stream order.
 */
@Injectable()
export class DeliveryFanout {
  constructor(private readonly queue: DeliveryQueue) {}

  @OnEvent(ANY_EVENT, { batch: true })
  async fanOut(events: EventEnvelope[], tx: EntityManager): Promise<void> {
    // Runs for every event on the bus: the endpoints are matched in the insert's statement.
    await this.queue.fanOut(tx, events);
  }
}
