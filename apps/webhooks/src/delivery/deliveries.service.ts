import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { isAdmin, type ListResult, type ListWebhookDeliveriesRequest, type WebhookDeliveryRefRequest, type WebhookDeliveryView } from '@saas/contracts';
import { paginate } from '@saas/database';
import { DomainException } from '@saas/errors';
import { Clock } from '@saas/service-kit';
import { EndpointAccess } from '../endpoints/endpoint-access.js';
import { WebhookEndpoint } from '../endpoints/webhook-endpoint.entity.js';
import { WebhookEndpointException } from '../endpoints/webhook-endpoint.exception.js';
import { DeliveryQueue } from './delivery-queue.js';
import { WebhookAttempt } from './webhook-attempt.entity.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';

const ORDERABLE = { created_at: 'createdAt', occurred_at: 'occurredAt', status: 'status', event_type: 'eventType' };

/** The delivery log (each delivery with its attempts) and manual retry. */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly ds: DataSource,
    private readonly access: EndpointAccess,
    private readonly queue: DeliveryQueue,
    private readonly clock: Clock,
  ) {}

  async list(req: ListWebhookDeliveriesRequest): Promise<ListResult<WebhookDeliveryView>> {
    const qb = this.ds.getRepository(WebhookDelivery).createQueryBuilder('d');
    if (req.endpoint_id) {
      await this.access.authorizeEndpoint(req.caller, await this.ds.getRepository(WebhookEndpoint).findOneBy({ id: req.endpoint_id }));
      qb.where('d.endpoint_id = :endpoint', { endpoint: req.endpoint_id });
    } else if (req.tenant_id) {
      await this.access.authorizeTenant(req.caller, req.tenant_id);
      // A tenant's view is its own endpoints' deliveries (not the platform endpoints' copies).
      qb.innerJoin(WebhookEndpoint, 'e', 'e.id = d.endpoint_id AND e.tenant_id = :tenant', { tenant: req.tenant_id });
    } else if (!isAdmin(req.caller) || req.caller.tenant_id) {
      throw DomainException.validation([{ field: 'tenant_id', message: 'tenant_id or endpoint_id is required' }]);
    }
    if (req.event_type) qb.andWhere('d.event_type = :type', { type: req.event_type });
    if (req.status) qb.andWhere('d.status = :status', { status: req.status });
    if (req.date_from) qb.andWhere('d.occurred_at >= :from', { from: new Date(req.date_from) });
    if (req.date_to) qb.andWhere('d.occurred_at <= :to', { to: new Date(req.date_to) });
    const page = await paginate(qb, req, { orderable: ORDERABLE, defaultOrder: { created_at: 'DESC' } });
    const attempts = page.results.length
      ? await this.ds.getRepository(WebhookAttempt).find({ where: { deliveryId: In(page.results.map((d) => d.id)) }, order: { attemptedAt: 'ASC' } })
      : [];
    return { count: page.count, results: page.results.map((d) => this.queue.view(d, attempts.filter((a) => a.deliveryId === d.id))) };
  }

  /** Sends a delivery again now (a failed one gets one more attempt; a pending one skips its wait). */
  async retry(req: WebhookDeliveryRefRequest): Promise<WebhookDeliveryView> {
    const repo = this.ds.getRepository(WebhookDelivery);
    const delivery = await repo.findOneBy({ id: req.id });
    if (!delivery) throw WebhookEndpointException.deliveryNotFound();
    try {
      await this.access.authorizeEndpoint(req.caller, await this.ds.getRepository(WebhookEndpoint).findOneBy({ id: delivery.endpointId }));
    } catch (err) {
      if ((err as DomainException).status === 404) throw WebhookEndpointException.deliveryNotFound();
      throw err;
    }
    await repo.update({ id: delivery.id }, { status: 'pending', nextAttemptAt: this.clock.now(), completedAt: null });
    this.queue.wake();
    const attempts = await this.ds.getRepository(WebhookAttempt).find({ where: { deliveryId: delivery.id }, order: { attemptedAt: 'ASC' } });
    return this.queue.view(await repo.findOneByOrFail({ id: delivery.id }), attempts);
  }
}
