import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In, Not, type EntityManager } from 'typeorm';
import {
  callerUserId,
  cyclePrice,
  findPlan,
  isAdmin,
  TenantsRpc,
  type BillingCycle,
  type CancelSubscriptionRequest,
  type CreateSubscriptionRequest,
  type ListResult,
  type ListSubscriptionsRequest,
  type PlanCurrency,
  type PreviewSubscriptionChangeRequest,
  type SeatRequest,
  type SubscriptionChangePreview,
  type SubscriptionRefRequest,
  type SubscriptionView,
  type TenantPlan,
  type UpdateSubscriptionRequest } from '@saas/contracts';
import { paginate } from '@saas/database';
import { RpcClient } from '@saas/messaging';
import { Clock, SERVICE_CONFIG } from '@saas/service-kit';
import { BillingException } from '../common/billing.exception.js';
import { addCycle, addDays, subscriptionNow } from '../common/billing-time.js';
import { BILLING_PLATFORM_CALLER, TenantsPort } from '../common/tenants-port.js';
import { parseDunningDays, parseTrialDays, type BillingConfig } from '../config.js';
import { InvoiceIssuer } from '../invoices/invoice-issuer.js';
import { Invoice } from '../invoices/invoice.entity.js';
import { PaymentCollector } from '../payments/payment-collector.js';
import { PaymentMethod } from '../payments/payment-method.entity.js';
import { periodLines, RenewalService } from '../renewals/renewal.service.js';
import { prorate, type ProrationResult, type Terms } from './proration.js';
import { SubscriptionLifecycle } from './subscription-lifecycle.js';
import { SubscriptionPreview } from './subscription-preview.entity.js';
import { SubscriptionSeat } from './subscription-seat.entity.js';
import { isChangeable } from './subscription-state-machine.js';
import { Subscription } from './subscription.entity.js';
import { toSubscriptionView } from './subscription.view.js';

/** A preview can be confirmed this long after it was made. */
const PREVIEW_TTL_MS = 15 * 60_000;

export interface TenantFacts {
  tenantId: string;
  ownerId: string;
  name: string;
  plan: TenantPlan;
  /** The tenant's plan in the tenants service, when it differs from the subscribed one. */
  tenantPlan?: TenantPlan;
  billingAddress: string | null;
  email: string | null;
}

export interface StartOptions {
  cycle?: BillingCycle;
  currency?: PlanCurrency;
  maxUsers?: number;
  paymentMethodId?: string | null;
  country?: string | null;
  /**
   * The tenant saga: a declined first charge does not throw; the subscription waits for its first
   * payment (`past_due`, dunning schedule, `awaiting_first_payment`) and `payment.failed` says so
   * (`first_payment`), so the tenants saga holds the tenant in error until it is paid.
   */
  holdOnDecline?: boolean;
}

@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly lifecycle: SubscriptionLifecycle,
    private readonly issuer: InvoiceIssuer,
    private readonly collector: PaymentCollector,
    private readonly renewals: RenewalService,
    private readonly tenants: TenantsPort,
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: BillingConfig,
  ) {
    this.trialDays = parseTrialDays(config.BILLING_TRIAL_DAYS);
    this.firstRetryDays = parseDunningDays(config.BILLING_DUNNING_DAYS)[0]!;
  }

  private readonly trialDays: ReturnType<typeof parseTrialDays>;
  private readonly firstRetryDays: number;

  // ---------------------------------------------------------------- starting and ending

  /**
   * Starts a tenant's subscription in the caller's transaction: a trial when the plan has one,
   * free plans at once, otherwise the first period is invoiced and charged — and a decline throws,
   * so nothing of a half-started subscription is left (unless `holdOnDecline`, the tenant saga's way).
   */
  async start(tx: EntityManager, tenant: TenantFacts, options: StartOptions = {}): Promise<Subscription> {
    const plan = findPlan(tenant.plan);
    if (!plan) throw BillingException.field('plan', `unknown plan "${tenant.plan}"`);
    const now = this.clock.now();
    const cycle = options.cycle ?? 'monthly';
    const maxUsers = options.maxUsers ?? plan.seats_included;
    this.checkSeats(plan.code, maxUsers, 1);
    const trialDays = this.trialDays[plan.code] ?? plan.trial_days;
    const trial = trialDays > 0;
    const sub = tx.getRepository(Subscription).create({
      id: randomUUID(),
      tenantId: tenant.tenantId,
      ownerId: tenant.ownerId,
      tenantName: tenant.name,
      buyerEmail: tenant.email,
      billingAddress: tenant.billingAddress,
      billingCountry: options.country ?? null,
      plan: plan.code,
      planVersion: plan.version,
      status: trial ? 'trialing' : 'active',
      billingCycle: cycle,
      currency: options.currency ?? this.config.BILLING_CURRENCY,
      maxUsers,
      paymentMethodId: options.paymentMethodId ?? null,
      startDate: now,
      endDate: null,
      trialEnd: trial ? addDays(now, trialDays) : null,
      currentPeriodStart: now,
      currentPeriodEnd: trial ? addDays(now, trialDays) : addCycle(now, cycle),
      cancelAtPeriodEnd: false,
      canceledAt: null,
      pendingChange: null,
      accruedLines: [],
      dunningAttempts: 0,
      nextRetryAt: null,
      pastDueSince: null,
      awaitingFirstPayment: false,
      tenantSuspended: false,
      // The tenant was created with this plan (saga), or the API path checks it below.
      tenantPlan: tenant.tenantPlan ?? plan.code,
      clockOffsetMs: 0,
      createdAt: now,
      updatedAt: now,
    });
    await this.lifecycle.created(tx, sub);
    await tx.getRepository(SubscriptionSeat).insert({ subscriptionId: sub.id, userId: tenant.ownerId, createdAt: now });
    if (!trial && cyclePrice(plan, sub.currency, cycle, maxUsers) > 0) {
      const invoice = await this.issuer.issue(tx, sub, { kind: 'period', periodStart: now, periodEnd: sub.currentPeriodEnd, issuedAt: now, lines: periodLines(sub, now, sub.currentPeriodEnd) });
      const outcome = await this.collector.collect(tx, sub, invoice, now, `subscription:${sub.id}:first`);
      if (!outcome.paid && !options.holdOnDecline) throw BillingException.declined(outcome.reason, outcome.declineCode);
      if (!outcome.paid) {
        Object.assign(sub, { awaitingFirstPayment: true, pastDueSince: now, dunningAttempts: 0, nextRetryAt: addDays(now, this.firstRetryDays) });
        await this.lifecycle.save(tx, sub, now, { status: 'past_due', fields: ['dunning'], extra: { decline_code: outcome.declineCode, reason: outcome.reason } });
      }
    }
    return sub;
  }

  /** tenant.deleted: the live subscription ends now; open invoices are voided. */
  async endForTenant(tx: EntityManager, tenantId: string): Promise<void> {
    const sub = await tx.getRepository(Subscription).findOne({ where: { tenantId, status: Not('canceled') }, lock: { mode: 'pessimistic_write' } });
    if (sub) await this.cancelNow(tx, sub);
  }

  private async cancelNow(tx: EntityManager, sub: Subscription): Promise<void> {
    const now = subscriptionNow(this.clock, sub);
    for (const invoice of await tx.getRepository(Invoice).findBy({ subscriptionId: sub.id, status: In(['open', 'uncollectible']) })) await this.issuer.void(tx, invoice, now);
    sub.endDate = now;
    await this.lifecycle.save(tx, sub, now, { status: 'canceled', fields: ['end_date', 'canceled_at'], reason: 'canceled' });
  }

  // ---------------------------------------------------------------- reads

  async seatsOf(tx: EntityManager, subscriptionId: string): Promise<string[]> {
    const seats = await tx.getRepository(SubscriptionSeat).find({ where: { subscriptionId }, order: { createdAt: 'ASC', userId: 'ASC' } });
    return seats.map((s) => s.userId);
  }

  async view(tx: EntityManager, sub: Subscription): Promise<SubscriptionView> {
    return toSubscriptionView(sub, await this.seatsOf(tx, sub.id));
  }

  /** The subscription, if the caller may see it (`role` on its tenant); someone else's is a 404. */
  async authorized(caller: CallerLike, id: string, role: 'member' | 'admin'): Promise<Subscription> {
    const sub = await this.ds.getRepository(Subscription).findOneBy({ id });
    if (!sub) throw BillingException.subscriptionNotFound();
    await this.tenants.authorize(caller, sub.tenantId, role, BillingException.subscriptionNotFound);
    return sub;
  }

  async list(req: ListSubscriptionsRequest): Promise<ListResult<SubscriptionView>> {
    const qb = this.ds.getRepository(Subscription).createQueryBuilder('s');
    if (req.tenant_id) {
      await this.tenants.authorize(req.caller, req.tenant_id, 'member');
      qb.andWhere('s.tenant_id = :tenantId', { tenantId: req.tenant_id });
    } else if (req.caller.tenant_id) {
      qb.andWhere('s.tenant_id = :tenantId', { tenantId: req.caller.tenant_id });
    } else if (!isAdmin(req.caller)) {
      qb.andWhere('s.owner_id = :ownerId', { ownerId: callerUserId(req.caller) });
    }
    if (req.status) qb.andWhere('s.status = :status', { status: req.status });
    const page = await paginate(qb, req, {
      orderable: { created_at: 'createdAt', updated_at: 'updatedAt', current_period_end: 'currentPeriodEnd', plan: 'plan', status: 'status' },
      defaultOrder: { created_at: 'DESC' },
    });
    const seats = page.results.length
      ? await this.ds.getRepository(SubscriptionSeat).find({ where: { subscriptionId: In(page.results.map((s) => s.id)) }, order: { createdAt: 'ASC', userId: 'ASC' } })
      : [];
    return { count: page.count, results: page.results.map((s) => toSubscriptionView(s, seats.filter((x) => x.subscriptionId === s.id).map((x) => x.userId))) };
  }

  async get(req: SubscriptionRefRequest): Promise<SubscriptionView> {
    const sub = await this.authorized(req.caller, req.id, 'member');
    return this.view(this.ds.manager, sub);
  }

  // ---------------------------------------------------------------- create (API)

  async create(req: CreateSubscriptionRequest): Promise<SubscriptionView> {
    await this.tenants.authorize(req.caller, req.tenant_id, 'admin');
    const tenant = await this.rpc.call(TenantsRpc.get, { caller: BILLING_PLATFORM_CALLER, id: req.tenant_id });
    return this.ds.transaction(async (tx) => {
      const live = await tx.getRepository(Subscription).findOneBy({ tenantId: req.tenant_id, status: Not('canceled') });
      if (live) throw BillingException.subscriptionExists(live.id);
      if (req.payment_method_id) await this.methodOf(tx, req.tenant_id, req.payment_method_id);
      const sub = await this.start(
        tx,
        { tenantId: tenant.id, ownerId: tenant.owner_id, name: tenant.name, plan: req.plan, tenantPlan: tenant.plan, billingAddress: tenant.billing_address, email: tenant.contact_email },
        { cycle: req.billing_cycle, currency: req.currency, maxUsers: req.max_users, paymentMethodId: req.payment_method_id ?? null, country: req.billing_country ?? null },
      );
      return this.view(tx, sub);
    });
  }

  // ---------------------------------------------------------------- changes

  private checkSeats(plan: TenantPlan, maxUsers: number, seated: number): void {
    const def = findPlan(plan)!;
    if (maxUsers > def.limits.max_seats) throw BillingException.field('max_users', `the ${def.name} plan allows at most ${def.limits.max_seats} seats`);
    if (maxUsers < seated) throw BillingException.field('max_users', `${seated} seats are taken; remove users before lowering max_users below that`);
  }

  private async methodOf(tx: EntityManager, tenantId: string, id: string): Promise<PaymentMethod> {
    const method = await tx.getRepository(PaymentMethod).findOneBy({ id, tenantId });
    if (!method) throw BillingException.paymentMethodNotFound();
    return method;
  }

  private targetOf(sub: Subscription, req: { plan?: TenantPlan; max_users?: number; billing_cycle?: BillingCycle }): Terms {
    return { plan: req.plan ?? sub.plan, max_users: req.max_users ?? sub.maxUsers, billing_cycle: req.billing_cycle ?? sub.billingCycle };
  }

  private compute(sub: Subscription, target: Terms, now: Date): ProrationResult {
    return prorate({
      status: sub.status,
      currency: sub.currency,
      current: { plan: sub.plan, max_users: sub.maxUsers, billing_cycle: sub.billingCycle },
      target,
      periodStart: sub.currentPeriodStart,
      periodEnd: sub.currentPeriodEnd,
      now,
      taxRateBp: this.issuer.taxRateOf(sub.billingCountry),
    });
  }

  private previewView(id: string, sub: Subscription, target: Terms, r: ProrationResult, expiresAt: Date): SubscriptionChangePreview {
    return {
      preview_id: id,
      subscription_id: sub.id,
      expires_at: expiresAt.toISOString(),
      effective: r.effective,
      billing: r.billing,
      from: { plan: sub.plan, max_users: sub.maxUsers, billing_cycle: sub.billingCycle, amount: r.fromAmount },
      to: { ...target, amount: r.toAmount },
      currency: sub.currency,
      lines: r.lines,
      credit: r.credit,
      charge: r.charge,
      subtotal: Math.max(0, r.net),
      tax: r.tax,
      amount_due: r.amountDue,
      credit_balance: r.creditBalance,
      new_period_end: (r.effective === 'now' ? r.newPeriodEnd : sub.currentPeriodEnd).toISOString(),
    };
  }

  async preview(req: PreviewSubscriptionChangeRequest): Promise<SubscriptionChangePreview> {
    const sub = await this.authorized(req.caller, req.id, 'admin');
    if (!isChangeable(sub.status)) throw BillingException.invalidState(sub.status, `A ${sub.status} subscription cannot be changed.`);
    const target = this.targetOf(sub, req);
    this.checkSeats(target.plan, target.max_users, (await this.seatsOf(this.ds.manager, sub.id)).length);
    const now = subscriptionNow(this.clock, sub);
    const result = this.compute(sub, target, now);
    const id = randomUUID();
    const expiresAt = new Date(this.clock.now().getTime() + PREVIEW_TTL_MS);
    const view = this.previewView(id, sub, target, result, expiresAt);
    await this.ds.getRepository(SubscriptionPreview).insert({ id, subscriptionId: sub.id, subscriptionVersion: sub.version, change: target, result: view, asOf: now, expiresAt });
    return view;
  }

  async update(req: UpdateSubscriptionRequest): Promise<SubscriptionView> {
    await this.authorized(req.caller, req.id, 'admin');
    let planChanged = false;
    const view = await this.ds.transaction(async (tx) => {
      const sub = await tx.getRepository(Subscription).findOne({ where: { id: req.id }, lock: { mode: 'pessimistic_write' } });
      if (!sub) throw BillingException.subscriptionNotFound();
      const fields: string[] = [];
      let now = subscriptionNow(this.clock, sub);
      const extra: Record<string, unknown> = {};
      if (req.preview_id && req.plan === undefined && req.max_users === undefined && req.billing_cycle === undefined) {
        // Confirming a preview by its id alone applies the change it showed.
        const shown = await tx.getRepository(SubscriptionPreview).findOneBy({ id: req.preview_id, subscriptionId: sub.id });
        if (!shown) throw BillingException.previewStale();
        req = { ...req, plan: shown.change.plan, max_users: shown.change.max_users, billing_cycle: shown.change.billing_cycle };
      }
      const changing = req.plan !== undefined || req.max_users !== undefined || req.billing_cycle !== undefined;
      if (sub.status === 'canceled' && (changing || req.cancel_at_period_end !== undefined)) throw BillingException.invalidState(sub.status, 'A canceled subscription cannot be changed.');
      if (changing) {
        if (!isChangeable(sub.status)) throw BillingException.invalidState(sub.status, `A ${sub.status} subscription cannot change plan, seats or cycle; pay the open invoice first.`);
        const target = this.targetOf(sub, req);
        this.checkSeats(target.plan, target.max_users, (await this.seatsOf(tx, sub.id)).length);
        if (req.preview_id) {
          const preview = await tx.getRepository(SubscriptionPreview).findOneBy({ id: req.preview_id, subscriptionId: sub.id });
          const same = preview && preview.change.plan === target.plan && preview.change.max_users === target.max_users && preview.change.billing_cycle === target.billing_cycle;
          if (!preview || !same || preview.subscriptionVersion !== sub.version || preview.expiresAt <= this.clock.now()) throw BillingException.previewStale();
          // Confirming applies the amounts the buyer saw.
          now = preview.asOf;
        }
        const result = this.compute(sub, target, now);
        const previousPlan = sub.plan;
        if (result.effective === 'period_end') {
          sub.pendingChange = target;
          fields.push('pending_change');
        } else {
          Object.assign(sub, { plan: target.plan, maxUsers: target.max_users, billingCycle: target.billing_cycle, pendingChange: null });
          sub.planVersion = findPlan(target.plan)!.version;
          sub.currentPeriodStart = result.newPeriodStart;
          sub.currentPeriodEnd = result.newPeriodEnd;
          fields.push('plan', 'max_users', 'billing_cycle', 'current_period_start', 'current_period_end');
          if (result.billing === 'accrue') {
            sub.accruedLines = [...sub.accruedLines, ...result.lines];
            fields.push('accrued_lines');
          } else if (result.billing === 'invoice_now') {
            const positive = result.net > 0;
            const lines = positive ? result.lines : [...result.lines, { description: 'Credit carried forward', kind: 'accrued' as const, quantity: 1, unit_amount: -result.net, amount: -result.net, period_start: null, period_end: null }];
            if (!positive && result.net < 0) {
              sub.accruedLines = [...sub.accruedLines, { description: 'Credit brought forward', kind: 'accrued', quantity: 1, unit_amount: result.net, amount: result.net, period_start: null, period_end: null }];
            }
            const invoice = await this.issuer.issue(tx, sub, { kind: 'proration', periodStart: now, periodEnd: result.newPeriodEnd, issuedAt: now, lines });
            const outcome = await this.collector.collect(tx, sub, invoice, now, `change:${sub.id}:v${sub.version}`);
            // A decline rolls everything back: the subscription stays on its old terms.
            if (!outcome.paid) throw BillingException.declined(outcome.reason, outcome.declineCode);
            extra.invoice_id = invoice.id;
          }
          planChanged = previousPlan !== sub.plan;
        }
        extra.previous_plan = previousPlan;
        extra.proration_amount = result.net;
      }
      if (req.payment_method_id !== undefined) {
        await this.methodOf(tx, sub.tenantId, req.payment_method_id);
        sub.paymentMethodId = req.payment_method_id;
        fields.push('payment_method_id');
      }
      if (req.billing_country !== undefined) {
        sub.billingCountry = req.billing_country;
        fields.push('billing_country');
      }
      if (req.cancel_at_period_end !== undefined) {
        sub.cancelAtPeriodEnd = req.cancel_at_period_end;
        fields.push('cancel_at_period_end');
      }
      if (fields.length > 0) await this.lifecycle.save(tx, sub, now, { fields, extra });
      return this.view(tx, sub);
    });
    if (planChanged) await this.renewals.syncTenantPlan(view.id);
    return view;
  }

  async cancel(req: CancelSubscriptionRequest): Promise<SubscriptionView> {
    await this.authorized(req.caller, req.id, 'admin');
    return this.ds.transaction(async (tx) => {
      const sub = await tx.getRepository(Subscription).findOne({ where: { id: req.id }, lock: { mode: 'pessimistic_write' } });
      if (!sub) throw BillingException.subscriptionNotFound();
      if (sub.status === 'canceled') return this.view(tx, sub);
      if (req.at_period_end) {
        sub.cancelAtPeriodEnd = true;
        await this.lifecycle.save(tx, sub, subscriptionNow(this.clock, sub), { fields: ['cancel_at_period_end'] });
      } else {
        await this.cancelNow(tx, sub);
      }
      return this.view(tx, sub);
    });
  }

  // ---------------------------------------------------------------- seats

  async seats(req: SubscriptionRefRequest): Promise<ListResult<{ user_id: string; added_at: string }>> {
    await this.authorized(req.caller, req.id, 'member');
    const seats = await this.ds.getRepository(SubscriptionSeat).find({ where: { subscriptionId: req.id }, order: { createdAt: 'ASC', userId: 'ASC' } });
    return { count: seats.length, results: seats.map((s) => ({ user_id: s.userId, added_at: s.createdAt.toISOString() })) };
  }

  async addSeat(req: SeatRequest): Promise<SubscriptionView> {
    await this.authorized(req.caller, req.id, 'admin');
    return this.ds.transaction(async (tx) => {
      const sub = await tx.getRepository(Subscription).findOne({ where: { id: req.id }, lock: { mode: 'pessimistic_write' } });
      if (!sub) throw BillingException.subscriptionNotFound();
      if (sub.status === 'canceled') throw BillingException.invalidState(sub.status, 'A canceled subscription has no seats to give.');
      const seats = await this.seatsOf(tx, sub.id);
      if (seats.includes(req.user_id)) return toSubscriptionView(sub, seats);
      if (seats.length >= sub.maxUsers) throw BillingException.seatLimitReached(sub.maxUsers);
      const now = subscriptionNow(this.clock, sub);
      await tx.getRepository(SubscriptionSeat).insert({ subscriptionId: sub.id, userId: req.user_id, createdAt: now });
      await this.lifecycle.save(tx, sub, now, { fields: ['subscribed_user_ids'], extra: { seat_user_id: req.user_id } });
      return this.view(tx, sub);
    });
  }

  async removeSeat(req: SeatRequest): Promise<SubscriptionView> {
    await this.authorized(req.caller, req.id, 'admin');
    return this.ds.transaction(async (tx) => {
      const sub = await tx.getRepository(Subscription).findOne({ where: { id: req.id }, lock: { mode: 'pessimistic_write' } });
      if (!sub) throw BillingException.subscriptionNotFound();
      const removed = await tx.getRepository(SubscriptionSeat).delete({ subscriptionId: sub.id, userId: req.user_id });
      if (removed.affected) await this.lifecycle.save(tx, sub, subscriptionNow(this.clock, sub), { fields: ['subscribed_user_ids'] });
      return this.view(tx, sub);
    });
  }

  // ---------------------------------------------------------------- test clocks

  /** Sandbox only: moves the subscription's time ahead and runs what became due (renewal, dunning, suspension). */
  async advanceClock(caller: CallerLike, id: string, ms: number): Promise<SubscriptionView> {
    if (this.config.BILLING_PAYMENT_PROVIDER !== 'sandbox') throw BillingException.testClocksUnavailable();
    if (!isAdmin(caller)) throw BillingException.subscriptionNotFound();
    let planChanged = false;
    const sub = await this.ds.transaction(async (tx) => {
      const s = await tx.getRepository(Subscription).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!s) throw BillingException.subscriptionNotFound();
      s.clockOffsetMs += ms;
      await tx.getRepository(Subscription).update({ id: s.id }, { clockOffsetMs: s.clockOffsetMs });
      planChanged = (await this.renewals.advance(tx, s)).planChanged;
      return s;
    });
    await this.renewals.afterCommit(sub.id, planChanged);
    const fresh = await this.ds.getRepository(Subscription).findOneByOrFail({ id });
    return this.view(this.ds.manager, fresh);
  }

  /** After a new card: retries the open invoices of the tenant's past-due or unpaid subscription at once. */
  async collectAfterNewMethod(tenantId: string): Promise<void> {
    const id = await this.ds.transaction(async (tx) => {
      const sub = await tx.getRepository(Subscription).findOne({ where: { tenantId, status: In(['past_due', 'unpaid']) }, lock: { mode: 'pessimistic_write' } });
      if (!sub) return null;
      const now = subscriptionNow(this.clock, sub);
      if (await this.renewals.collectOpen(tx, sub, now)) await this.lifecycle.save(tx, sub, now, { status: 'active', fields: ['dunning'], reason: 'paid with a new payment method' });
      return sub.id;
    });
    if (id) await this.renewals.reconcileTenant(id);
  }
}

type CallerLike = CreateSubscriptionRequest['caller'];
