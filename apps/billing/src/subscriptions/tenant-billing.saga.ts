import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Not } from 'typeorm';
import { EventTypes, TenantBillingEventData, type EventEnvelope } from '@saas/contracts';
import { OnEvent } from '@saas/messaging';
import { Subscription } from './subscription.entity.js';
import { SubscriptionsService } from './subscriptions.service.js';

/**
 * The billing step of the tenant saga: `tenant.created` starts the tenant's subscription on its plan
 * (a trial on paid plans, so a sign-up without a card works; on a plan without one the first invoice
 * is charged, and a decline leaves the subscription waiting for its first payment while the tenants
 * saga holds the tenant in error), `tenant.deleted` ends it. Handlers run
 * in the inbox transaction, so a redelivered event changes nothing twice.
 */
@Injectable()
export class TenantBillingSaga {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @OnEvent(EventTypes.TenantCreated, { data: TenantBillingEventData })
  async onTenantCreated(event: EventEnvelope<TenantBillingEventData>, tx: EntityManager): Promise<void> {
    const d = event.data;
    const existing = await tx.getRepository(Subscription).findOneBy({ tenantId: d.tenant_id, status: Not('canceled') });
    if (existing) return;
    const ownerId = d.owner_id ?? (event.actor?.type === 'user' ? event.actor.id : null);
    if (!ownerId) return;
    await this.subscriptions.start(tx, {
      tenantId: d.tenant_id,
      ownerId,
      name: d.name ?? d.tenant_id,
      plan: d.plan ?? 'standard',
      billingAddress: d.billing_address ?? null,
      email: d.contact_email ?? null,
    }, { holdOnDecline: true });
  }

  @OnEvent(EventTypes.TenantDeleted, { data: TenantBillingEventData })
  async onTenantDeleted(event: EventEnvelope<TenantBillingEventData>, tx: EntityManager): Promise<void> {
    await this.subscriptions.endForTenant(tx, event.data.tenant_id);
  }
}
