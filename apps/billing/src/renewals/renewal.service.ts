import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, In, type EntityManager } from 'typeorm';
import { findPlan, type InvoiceLineView } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
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

/** Charges one renewal batch sends the provider at once (a network provider answers in ~100 ms). */
const CHARGE_CONCURRENCY = 16;

/** Runs `fn` over `items`, at most `limit` at a time; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Renewals and dunning. Due subscriptions are claimed in batches (FOR UPDATE SKIP LOCKED, so every
 * replica renews at once, on disjoint rows), and a batch is advanced inside one transaction holding
 * the row locks: the trial ends or the period rolls over (one `period` invoice, unique per period in
 * the database, charged at once), failed charges are retried on BILLING_DUNNING_DAYS, and after the
 * last retry the subscription is `unpaid`. Tenant suspension and resumption follow after commit from
 * the `tenant_suspended` flag, so a tenants service that is down is simply asked again on the next round.
 *
 * The common case — one period to renew, nothing pending — is written for the whole batch in a few
 * statements (`renewBatch`); anything else (a catch-up over several periods, a cancellation or plan
 * change at period end, credits, dunning retries) goes through `advance`, one savepoint each.
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
    private readonly outbox: EventOutbox,
    private readonly tenants: TenantsPort,
    @Inject(SERVICE_CONFIG) config: BillingConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.dunningDays = parseDunningDays(config.BILLING_DUNNING_DAYS);
  }

  /** One scheduler round: every due subscription (on every replica at once, on disjoint rows). */
  async runRound(): Promise<{ ran: boolean; advanced: number }> {
    return { ran: true, advanced: await this.renewDue() };
  }

  /**
   * Advances every subscription that is due. Rows are claimed with FOR UPDATE SKIP LOCKED, so any
   * number of runs at once never work on the same subscription; invoice numbers stay gapless
   * because each batch reserves its numbers from the counter row at the end of its transaction.
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
        const simple = due.filter((sub) => this.isSimpleRenewal(sub));
        let rest = due.filter((sub) => !simple.includes(sub));
        const effects: Array<{ sub: Subscription; planChanged: boolean; batched?: boolean }> = [];
        if (simple.length > 0) {
          try {
            // Its own savepoint: should the batch write fail, its subscriptions go the slow way below.
            const renewed = await tx.transaction((inner) => this.renewBatch(inner, simple, failed));
            effects.push(...renewed.map((sub) => ({ sub, planChanged: false, batched: true })));
          } catch (err) {
            this.logger.error({ err, subscriptions: simple.length }, 'renewal batch failed; renewing its subscriptions one by one');
            // Read again (still locked by this transaction): the batch had already moved them on in memory.
            const retry = simple.filter((sub) => !failed.includes(sub.id)).map((sub) => sub.id);
            rest = [...(retry.length ? await tx.getRepository(Subscription).findBy({ id: In(retry) }) : []), ...rest];
          }
        }
        for (const sub of rest) {
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
      for (const { sub, planChanged, batched } of claimed.effects) {
        // A batch renewal leaves the subscription active or past_due: only a suspended tenant needs resuming.
        if (!batched || sub.tenantSuspended) await this.afterCommit(sub.id, planChanged);
      }
      advanced += claimed.effects.length;
      if (claimed.claimed < batchSize) break;
    }
    // Housekeeping that calls the tenants service: one replica at a time is enough.
    await runExclusive(this.ds, 'billing-tenant-reconcile', () => this.reconcileTenants());
    return advanced;
  }

  /** One period to renew, paid for, nothing pending or carried: what `renewBatch` handles. */
  private isSimpleRenewal(sub: Subscription): boolean {
    const now = subscriptionNow(this.clock, sub);
    return (
      (sub.status === 'trialing' || sub.status === 'active') &&
      sub.currentPeriodEnd <= now &&
      addCycle(sub.currentPeriodEnd, sub.billingCycle) > now &&
      !sub.cancelAtPeriodEnd &&
      !sub.pendingChange &&
      sub.accruedLines.length === 0 &&
      subscriptionAmount(sub) > 0
    );
  }

  /**
   * Renews a batch of locked subscriptions, each due for exactly one new period: drafts every
   * invoice, charges them (CHARGE_CONCURRENCY at a time, each with its invoice's idempotency key),
   * then writes drafts, payments and subscriptions in a statement each, and only then numbers the
   * invoices (the counter row stays locked from there to commit) and writes their state and the
   * events. The same outcome, event for event, as `advance` on each. A subscription whose charge
   * has no answer is left out (and for the next run); returns the renewed ones.
   */
  async renewBatch(tx: EntityManager, subs: Subscription[], failed: string[]): Promise<Subscription[]> {
    const methods = await this.collector.methodsFor(tx, subs);
    const charged = await mapLimit(subs, CHARGE_CONCURRENCY, async (sub) => {
      const at = sub.currentPeriodEnd;
      const start = at;
      const end = addCycle(at, sub.billingCycle);
      const invoice = this.issuer.draft(sub, { kind: 'period', periodStart: start, periodEnd: end, issuedAt: at, lines: periodLines(sub, start, end) });
      try {
        return { sub, at, end, invoice, attempt: await this.collector.charge(sub, invoice, methods.get(sub.id) ?? null, 1, at) };
      } catch (err) {
        failed.push(sub.id);
        this.logger.error({ err, subscription_id: sub.id }, 'charging a renewal failed (outcome unknown); it is retried next round');
        return null;
      }
    });
    const done = charged.filter((c) => c !== null);
    if (done.length === 0) return [];
    await this.issuer.insertDrafts(tx, done.map((c) => c.invoice));
    await this.collector.insertPayments(tx, done.map((c) => c.attempt));
    const subEvents = await this.lifecycle.saveMany(
      tx,
      done.map(({ sub, at, end, attempt }) => {
        const fields = ['current_period_start', 'current_period_end', ...(sub.status === 'trialing' ? ['trial_end'] : [])];
        sub.currentPeriodStart = at;
        sub.currentPeriodEnd = end;
        if (attempt.outcome.paid) return { sub, at, changes: { status: 'active' as const, fields } };
        sub.pastDueSince = at;
        sub.dunningAttempts = 0;
        sub.nextRetryAt = addDays(at, this.dunningDays[0]!);
        return { sub, at, changes: { status: 'past_due' as const, fields: [...fields, 'dunning'], extra: { decline_code: attempt.outcome.declineCode, reason: attempt.outcome.reason } } };
      }),
    );
    // From here to commit the invoice counter is locked.
    const created = await this.issuer.number(tx, done.map((c) => c.invoice));
    const events = done.flatMap(({ invoice, attempt, at }, i) => [...created[i]!, ...this.collector.apply(attempt, invoice, at), ...subEvents[i]!]);
    await this.issuer.saveStates(tx, done.map((c) => c.invoice));
    await this.outbox.addMany(tx, events);
    return done.map((c) => c.sub);
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
    // Never live yet (its first payment failed): the tenants saga holds it in error, nothing to suspend.
    if (!sub || sub.awaitingFirstPayment) return;
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
      .where(`NOT s.awaiting_first_payment AND ((s.status = 'unpaid' AND NOT s.tenant_suspended) OR (s.status IN ('active', 'trialing', 'past_due') AND s.tenant_suspended))`)
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
