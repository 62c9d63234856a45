import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, In, type EntityManager } from 'typeorm';
import { findPlan, type InvoiceLineView } from '@saas/contracts';
import { Clock, runExclusive, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import { addCycle, addDays, subscriptionNow } from '../common/billing-time.js';
import { TenantsPort } from '../common/tenants-port.js';
import { parseDunningDays, type BillingConfig } from '../config.js';
import { InvoiceIssuer } from '../invoices/invoice-issuer.js';
import { Invoice } from '../invoices/invoice.entity.js';
import { PaymentCollector } from '../payments/payment-collector.js';
import { SubscriptionLifecycle } from '../subscriptions/subscription-lifecycle.js';
import { Subscription } from '../subscriptions/subscription.entity.js';
import { subscriptionAmount } from '../subscriptions/subscription.view.js';

/** Periods one pass may catch up on for one subscription (a test clock moved far ahead). */
const MAX_STEPS = 60;

export interface AdvanceEffects {
  planChanged: boolean;
}

/** The lines of one period: the plan, extra seats, and whatever accrued since the last invoice. */
export function periodLines(sub: Subscription, start: Date, end: Date): InvoiceLineView[] {
  const plan = findPlan(sub.plan)!;
  const price = plan.prices[sub.currency][sub.billingCycle];
  const period = { period_start: start.toISOString(), period_end: end.toISOString() };
  const lines: InvoiceLineView[] = [
    { description: `${plan.name} plan (${sub.billingCycle}), ${plan.seats_included} seats included`, kind: 'subscription', quantity: 1, unit_amount: price.amount, amount: price.amount, ...period },
  ];
  const extra = Math.max(0, sub.maxUsers - plan.seats_included);
  if (extra > 0) lines.push({ description: 'Additional seats', kind: 'seats', quantity: extra, unit_amount: price.extra_seat_amount, amount: extra * price.extra_seat_amount, ...period });
  return [...lines, ...sub.accruedLines];
}

/**
 * Renewals and dunning. A subscription is advanced inside one transaction holding its row lock:
 * the trial ends or the period rolls over (one `period` invoice, unique per period in the database,
 * charged at once), failed charges are retried on BILLING_DUNNING_DAYS, and after the last retry the
 * subscription is `unpaid`. Tenant suspension and resumption follow after commit from the
 * `tenant_suspended` flag, so a tenants service that is down is simply asked again on the next round.
 */
@Injectable()
export class RenewalService {
  private readonly dunningDays: number[];

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly lifecycle: SubscriptionLifecycle,
    private readonly issuer: InvoiceIssuer,
    private readonly collector: PaymentCollector,
    private readonly tenants: TenantsPort,
    @Inject(SERVICE_CONFIG) config: BillingConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.dunningDays = parseDunningDays(config.BILLING_DUNNING_DAYS);
  }

  /** One scheduler round: every due subscription, each in its own transaction; runs on one replica at a time. */
  async runRound(): Promise<{ ran: boolean; advanced: number }> {
    const outcome = await runExclusive(this.ds, 'billing-renewals', () => this.renewDue());
    return outcome.ran ? { ran: true, advanced: outcome.result } : { ran: false, advanced: 0 };
  }

  /**
   * Advances every subscription that is due. Rows are claimed with FOR UPDATE SKIP LOCKED, so two
   * runs at once (even without the advisory lock) never work on the same subscription.
   */
  async renewDue(batchSize = 200): Promise<number> {
    let advanced = 0;
    // Subscriptions whose advance failed this run (e.g. the provider's answer was unknown): left for the next run.
    const failed: string[] = [];
    for (;;) {
      const claimed = await this.ds.transaction(async (tx) => {
        const due: Subscription[] = await tx
          .getRepository(Subscription)
          .createQueryBuilder('s')
          .where(
            `((s.status IN ('trialing', 'active') AND s.current_period_end <= :now::timestamptz + (s.clock_offset_ms || ' milliseconds')::interval)
             OR (s.status = 'past_due' AND s.next_retry_at <= :now::timestamptz + (s.clock_offset_ms || ' milliseconds')::interval))
             AND s.id <> ALL(:failed::uuid[])`,
            { now: this.clock.now().toISOString(), failed },
          )
          .orderBy('s.current_period_end', 'ASC')
          .limit(batchSize)
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked')
          .getMany();
        const effects: Array<{ sub: Subscription; planChanged: boolean }> = [];
        for (const sub of due) {
          try {
            // A savepoint per subscription: one that fails rolls back alone (its invoice number too).
            effects.push({ sub, ...(await tx.transaction((inner) => this.advance(inner, sub))) });
          } catch (err) {
            failed.push(sub.id);
            this.logger.error({ err, subscription_id: sub.id }, 'renewing a subscription failed; it is retried next round');
          }
        }
        return { effects, claimed: due.length };
      });
      for (const { sub, planChanged } of claimed.effects) await this.afterCommit(sub.id, planChanged);
      advanced += claimed.effects.length;
      if (claimed.claimed < batchSize) break;
    }
    await this.reconcileTenants();
    return advanced;
  }

  /** Advances one (locked) subscription to its own "now": trial end, renewals, dunning retries. */
  async advance(tx: EntityManager, sub: Subscription): Promise<AdvanceEffects> {
    let planChanged = false;
    for (let step = 0; step < MAX_STEPS; step++) {
      const now = subscriptionNow(this.clock, sub);
      if ((sub.status === 'trialing' || sub.status === 'active') && sub.currentPeriodEnd <= now) {
        const at = sub.currentPeriodEnd;
        if (sub.cancelAtPeriodEnd) {
          sub.endDate = at;
          await this.lifecycle.save(tx, sub, at, { status: 'canceled', fields: ['end_date'], reason: 'canceled at period end' });
          return { planChanged };
        }
        const fields = ['current_period_start', 'current_period_end'];
        if (sub.pendingChange) {
          const previous = sub.plan;
          Object.assign(sub, { plan: sub.pendingChange.plan, maxUsers: sub.pendingChange.max_users, billingCycle: sub.pendingChange.billing_cycle });
          sub.planVersion = findPlan(sub.plan)!.version;
          sub.pendingChange = null;
          planChanged ||= previous !== sub.plan;
          fields.push('plan', 'max_users', 'billing_cycle', 'pending_change');
        }
        if (sub.status === 'trialing') fields.push('trial_end');
        sub.currentPeriodStart = at;
        sub.currentPeriodEnd = addCycle(at, sub.billingCycle);
        await this.renewPeriod(tx, sub, at, fields);
        continue;
      }
      if (sub.status === 'past_due' && sub.nextRetryAt && sub.nextRetryAt <= now) {
        await this.retry(tx, sub, sub.nextRetryAt);
        continue;
      }
      return { planChanged };
    }
    this.logger.warn({ subscription_id: sub.id }, 'subscription still due after the step limit; continuing next round');
    return { planChanged };
  }

  /** Issues the period's invoice (nothing for a free period) and charges it. */
  private async renewPeriod(tx: EntityManager, sub: Subscription, at: Date, fields: string[]): Promise<void> {
    const amount = subscriptionAmount(sub) + sub.accruedLines.reduce((s, l) => s + l.amount, 0);
    let lines = periodLines(sub, sub.currentPeriodStart, sub.currentPeriodEnd);
    sub.accruedLines = [];
    if (amount < 0) {
      // More credit than the period costs: this invoice is 0, the rest waits for the next one.
      lines = [...lines, { description: 'Credit carried forward', kind: 'accrued', quantity: 1, unit_amount: -amount, amount: -amount, period_start: null, period_end: null }];
      sub.accruedLines = [{ description: 'Credit brought forward', kind: 'accrued', quantity: 1, unit_amount: amount, amount, period_start: null, period_end: null }];
    }
    const paying = amount > 0 || subscriptionAmount(sub) > 0;
    if (!paying) {
      // Free plan: the period rolls over without an invoice.
      await this.lifecycle.save(tx, sub, at, { status: 'active', fields });
      return;
    }
    const invoice = await this.issuer.issue(tx, sub, { kind: 'period', periodStart: sub.currentPeriodStart, periodEnd: sub.currentPeriodEnd, issuedAt: at, lines });
    const outcome = invoice.status === 'paid' ? ({ paid: true } as const) : await this.collector.collect(tx, sub, invoice, at);
    if (outcome.paid) {
      await this.lifecycle.save(tx, sub, at, { status: 'active', fields });
    } else {
      sub.pastDueSince = at;
      sub.dunningAttempts = 0;
      sub.nextRetryAt = addDays(at, this.dunningDays[0]!);
      await this.lifecycle.save(tx, sub, at, { status: 'past_due', fields: [...fields, 'dunning'], extra: { decline_code: outcome.declineCode, reason: outcome.reason } });
    }
  }

  /** Pays every open invoice of the subscription; true when none is left open. */
  async collectOpen(tx: EntityManager, sub: Subscription, at: Date): Promise<boolean> {
    const open = await tx.getRepository(Invoice).find({ where: { subscriptionId: sub.id, status: In(['open', 'uncollectible']) }, order: { issuedAt: 'ASC' } });
    for (const invoice of open) {
      const outcome = await this.collector.collect(tx, sub, invoice, at);
      if (!outcome.paid) return false;
    }
    return true;
  }

  /** A dunning retry at `at` (the scheduled time): paid → active; otherwise the next retry, or unpaid after the last. */
  private async retry(tx: EntityManager, sub: Subscription, at: Date): Promise<void> {
    if (await this.collectOpen(tx, sub, at)) {
      await this.lifecycle.save(tx, sub, at, { status: 'active', fields: ['dunning'], reason: 'dunning retry paid' });
      return;
    }
    sub.dunningAttempts += 1;
    if (sub.dunningAttempts >= this.dunningDays.length) {
      sub.nextRetryAt = null;
      // Dunning gave up: the invoices are uncollectible (a later payment still settles them).
      await tx.getRepository(Invoice).update({ subscriptionId: sub.id, status: 'open' }, { status: 'uncollectible', updatedAt: at });
      await this.lifecycle.save(tx, sub, at, { status: 'unpaid', fields: ['dunning'], reason: `dunning exhausted after ${sub.dunningAttempts} retries` });
    } else {
      sub.nextRetryAt = addDays(sub.pastDueSince ?? at, this.dunningDays[sub.dunningAttempts]!);
      await this.lifecycle.save(tx, sub, at, { fields: ['dunning'] });
    }
  }

  /** After the subscription's transaction committed: plan sync and tenant suspension/resumption. */
  async afterCommit(subscriptionId: string, planChanged: boolean): Promise<void> {
    if (planChanged) await this.syncTenantPlan(subscriptionId);
    await this.reconcileTenant(subscriptionId);
  }

  /**
   * Sends the subscription's plan to the tenants service (provisioning resizes the tenant from the
   * resulting tenant.updated; every plan-driven limit follows). Until tenants accepts it (it refuses
   * while the tenant is busy or not running), every round tries again.
   */
  async syncTenantPlan(subscriptionId: string): Promise<void> {
    const sub = await this.ds.getRepository(Subscription).findOneBy({ id: subscriptionId });
    if (!sub || sub.status === 'canceled' || sub.plan === sub.tenantPlan) return;
    if (await this.tenants.syncPlan(sub.tenantId, sub.plan)) {
      await this.ds.getRepository(Subscription).update({ id: sub.id, plan: sub.plan }, { tenantPlan: sub.plan });
    }
  }

  /** Suspends the tenant of an unpaid subscription, resumes the tenant of one that was paid. */
  async reconcileTenant(subscriptionId: string): Promise<void> {
    const sub = await this.ds.getRepository(Subscription).findOneBy({ id: subscriptionId });
    if (!sub) return;
    const wantSuspended = sub.status === 'unpaid';
    if (wantSuspended === sub.tenantSuspended || sub.status === 'canceled') return;
    if (await this.tenants.act(sub.tenantId, wantSuspended ? 'suspend' : 'resume')) {
      await this.ds.getRepository(Subscription).update({ id: sub.id, tenantSuspended: !wantSuspended }, { tenantSuspended: wantSuspended });
    }
  }

  private async reconcileTenants(): Promise<void> {
    const pending = await this.ds
      .getRepository(Subscription)
      .createQueryBuilder('s')
      .select('s.id', 'id')
      .where(`(s.status = 'unpaid' AND NOT s.tenant_suspended) OR (s.status IN ('active', 'trialing', 'past_due') AND s.tenant_suspended)`)
      .limit(100)
      .getRawMany<{ id: string }>();
    for (const { id } of pending) await this.reconcileTenant(id);
    const unsynced = await this.ds
      .getRepository(Subscription)
      .createQueryBuilder('s')
      .select('s.id', 'id')
      .where(`s.status <> 'canceled' AND s.plan <> s.tenant_plan`)
      .limit(100)
      .getRawMany<{ id: string }>();
    for (const { id } of unsynced) await this.syncTenantPlan(id);
  }
}
