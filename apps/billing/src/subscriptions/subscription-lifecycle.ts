import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, type NewEvent, type SubscriptionEventData, type SubscriptionStatus } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { insertRows } from '@saas/database';
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

  async save(tx: EntityManager, sub: Subscription, at: Date, changes: SaveChanges): Promise<Subscription> {
    const step = this.prepare(sub, at, changes);
    // A plain UPDATE (no select-then-save round trip); TypeORM bumps the version column itself.
    const { id, version, ...columns } = sub;
    await tx.getRepository(Subscription).update({ id }, columns);
    sub.version = version + 1;
    if (step.transition) await tx.getRepository(SubscriptionTransition).insert(step.transition);
    await this.outbox.addMany(tx, step.events);
    return sub;
  }

  /**
   * The same step for many subscriptions at once (a renewal batch): the state machine is checked
   * and each one's events are returned, in order, for the caller to write with the rest of its
   * batch; the rows (the columns a lifecycle step changes) and transitions are written here in two
   * statements.
   */
  async saveMany(tx: EntityManager, steps: Array<{ sub: Subscription; at: Date; changes: SaveChanges }>): Promise<Array<Array<NewEvent<unknown>>>> {
    const prepared = steps.map(({ sub, at, changes }) => {
      const step = this.prepare(sub, at, changes);
      sub.version += 1;
      return step;
    });
    if (prepared.length === 0) return [];
    const [, updated] = (await tx.query(
      `UPDATE subscriptions s SET plan = r.plan, plan_version = r.plan_version, status = r.status, billing_cycle = r.billing_cycle, max_users = r.max_users,
              end_date = r.end_date, trial_end = r.trial_end, current_period_start = r.current_period_start, current_period_end = r.current_period_end,
              cancel_at_period_end = r.cancel_at_period_end, canceled_at = r.canceled_at, pending_change = r.pending_change, accrued_lines = r.accrued_lines,
              dunning_attempts = r.dunning_attempts, next_retry_at = r.next_retry_at, past_due_since = r.past_due_since, awaiting_first_payment = r.awaiting_first_payment,
              updated_at = r.updated_at, version = r.version
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, plan text, plan_version int, status text, billing_cycle text, max_users int, end_date timestamptz,
              trial_end timestamptz, current_period_start timestamptz, current_period_end timestamptz, cancel_at_period_end boolean, canceled_at timestamptz,
              pending_change jsonb, accrued_lines jsonb, dunning_attempts int, next_retry_at timestamptz, past_due_since timestamptz, awaiting_first_payment boolean,
              updated_at timestamptz, version int)
        WHERE s.id = r.id AND s.version = r.version - 1`,
      [
        JSON.stringify(
          steps.map(({ sub: x }) => ({
            id: x.id, plan: x.plan, plan_version: x.planVersion, status: x.status, billing_cycle: x.billingCycle, max_users: x.maxUsers, end_date: x.endDate,
            trial_end: x.trialEnd, current_period_start: x.currentPeriodStart, current_period_end: x.currentPeriodEnd, cancel_at_period_end: x.cancelAtPeriodEnd,
            canceled_at: x.canceledAt, pending_change: x.pendingChange, accrued_lines: x.accruedLines, dunning_attempts: x.dunningAttempts,
            next_retry_at: x.nextRetryAt, past_due_since: x.pastDueSince, awaiting_first_payment: x.awaitingFirstPayment, updated_at: x.updatedAt, version: x.version,
          })),
        ),
      ],
    )) as [unknown, number];
    // The rows are locked by the caller: a version that moved meanwhile is a bug, not a race to lose quietly.
    if (updated !== steps.length) throw new Error(`subscription batch update wrote ${updated} of ${steps.length} rows`);
    const transitions = prepared.flatMap((p) => (p.transition ? [p.transition] : []));
    await insertRows(tx, SubscriptionTransition, transitions);
    return prepared.map((p) => p.events);
  }

  /** Applies a step to the subscription in memory (state machine checked); returns its transition row and events. */
  private prepare(sub: Subscription, at: Date, changes: SaveChanges): { transition: SubscriptionTransition | null; events: Array<NewEvent<unknown>> } {
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
        sub.awaitingFirstPayment = false;
        sub.dunningAttempts = 0;
        sub.nextRetryAt = null;
        sub.pastDueSince = null;
      }
    }
    sub.updatedAt = at;
    const data = toSubscriptionEventData(sub, { changed_fields: [...new Set(fields)], ...changes.extra });
    const events: Array<NewEvent<unknown>> = [{ type: EventTypes.SubscriptionUpdated, tenantId: sub.tenantId, data }];
    let transition: SubscriptionTransition | null = null;
    if (sub.status !== from) {
      const reason = changes.reason ?? (typeof changes.extra?.reason === 'string' ? changes.extra.reason : null);
      transition = Object.assign(new SubscriptionTransition(), { id: randomUUID(), subscriptionId: sub.id, fromStatus: from, toStatus: sub.status, reason, at });
      const arrival = ARRIVAL_EVENTS[sub.status];
      if (arrival) events.push({ type: arrival, tenantId: sub.tenantId, data: { ...data, previous_status: from } });
    }
    return { transition, events };
  }
}

export interface SaveChanges {
  status?: SubscriptionStatus;
  fields: string[];
  reason?: string;
  extra?: Partial<SubscriptionEventData>;
}
