import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import type { EventEnvelope } from '@saas/contracts';
import { ANY_EVENT, OnEvent } from '@saas/messaging';
import { filterMatches } from '../endpoints/event-filter.js';
import { WebhookEndpoint } from '../endpoints/webhook-endpoint.entity.js';
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
    const qb = tx.getRepository(WebhookEndpoint).createQueryBuilder('e').where('e.enabled');
    if (event.tenant_id) qb.andWhere('(e.tenant_id = :tenant OR e.tenant_id IS NULL)', { tenant: event.tenant_id });
    else qb.andWhere('e.tenant_id IS NULL');
    const endpoints = (await qb.getMany()).filter((e) => filterMatches(e.eventTypes, event.type));
    await this.queue.enqueue(tx, endpoints, event);
  }
}
