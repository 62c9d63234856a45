import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, type SubscriptionEventData, type SubscriptionStatus } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { assertTransition } from './subscription-state-machine.js';
import { SubscriptionTransition } from './subscription-transition.entity.js';
import { Subscription } from './subscription.entity.js';
import { toSubscriptionEventData } from './subscription.view.js';

/** The event each state announces beyond `subscription.updated`. */
const ARRIVAL_EVENTS: Partial<Record<SubscriptionStatus, string>> = {
  past_due: EventTypes.SubscriptionPastDue,
  canceled: EventTypes.SubscriptionCanceled,
};

/**
 * The only way a subscription is saved after its creation: checks the state machine when the status
 * changes, and emits `subscription.updated` (plus the arrival event of the new state) in the caller's
 * transaction, so subscribers (identity's projection, webhooks) see every change exactly once.
 */
@Injectable()
export class SubscriptionLifecycle {
  constructor(private readonly outbox: EventOutbox) {}

  async created(tx: EntityManager, sub: Subscription): Promise<void> {
    sub.version = 1;
    await tx.getRepository(Subscription).insert(sub);
    await tx.getRepository(SubscriptionTransition).insert({ id: randomUUID(), subscriptionId: sub.id, fromStatus: null, toStatus: sub.status, reason: 'created', at: sub.createdAt });
    await this.outbox.add(tx, { type: EventTypes.SubscriptionCreated, tenantId: sub.tenantId, data: toSubscriptionEventData(sub) });
  }

  async save(
    tx: EntityManager,
    sub: Subscription,
    at: Date,
    changes: { status?: SubscriptionStatus; fields: string[]; reason?: string; extra?: Partial<SubscriptionEventData> },
  ): Promise<Subscription> {
    const from = sub.status;
    const fields = [...changes.fields];
    if (changes.status && changes.status !== from) {
      assertTransition(from, changes.status);
      sub.status = changes.status;
      fields.push('status');
      if (changes.status === 'canceled') {
        sub.canceledAt ??= at;
        sub.endDate ??= at;
        sub.nextRetryAt = null;
      }
      if (changes.status === 'active') {
        sub.dunningAttempts = 0;
        sub.nextRetryAt = null;
        sub.pastDueSince = null;
      }
    }
    sub.updatedAt = at;
    // A plain UPDATE (no select-then-save round trip); TypeORM bumps the version column itself.
    const { id, version, ...columns } = sub;
    await tx.getRepository(Subscription).update({ id }, columns);
    sub.version = version + 1;
    const data = toSubscriptionEventData(sub, { changed_fields: [...new Set(fields)], ...changes.extra });
    await this.outbox.add(tx, { type: EventTypes.SubscriptionUpdated, tenantId: sub.tenantId, data });
    if (sub.status !== from) {
      const reason = changes.reason ?? (typeof changes.extra?.reason === 'string' ? changes.extra.reason : null);
      await tx.getRepository(SubscriptionTransition).insert({ id: randomUUID(), subscriptionId: sub.id, fromStatus: from, toStatus: sub.status, reason, at });
    }
    const arrival = sub.status !== from ? ARRIVAL_EVENTS[sub.status] : undefined;
    if (arrival) await this.outbox.add(tx, { type: arrival, tenantId: sub.tenantId, data: { ...data, previous_status: from } });
    return sub;
  }
}
