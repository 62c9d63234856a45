import { cyclePrice, findPlan, type BillingCycle, type InvoiceLineView, type PlanCurrency, type SubscriptionStatus, type TenantPlan } from '@saas/contracts';
import { addCycle } from '../common/billing-time.js';

export interface Terms {
  plan: TenantPlan;
  max_users: number;
  billing_cycle: BillingCycle;
}

export interface ProrationInput {
  status: SubscriptionStatus;
  currency: PlanCurrency;
  current: Terms;
  target: Terms;
  periodStart: Date;
  periodEnd: Date;
  now: Date;
  taxRateBp: number;
}

export interface ProrationResult {
  effective: 'now' | 'period_end';
  billing: 'invoice_now' | 'accrue' | 'none';
  fromAmount: number;
  toAmount: number;
  lines: InvoiceLineView[];
  credit: number;
  charge: number;
  /** charge − credit (negative: credit left over). */
  net: number;
  tax: number;
  amountDue: number;
  creditBalance: number;
  /** The period after the change (a cycle change starts a new one now). */
  newPeriodStart: Date;
  newPeriodEnd: Date;
}

/** `amount` × part / whole, rounded half up, in integer arithmetic where it matters. */
function share(amount: number, part: number, whole: number): number {
  return whole <= 0 ? 0 : Math.round((amount * part) / whole);
}

/**
 * What a change of plan, seats or cycle costs, to the minor unit:
 *
 * - in a trial: applied now, nothing charged (the trial continues on the new terms);
 * - same cycle, dearer: applied now; credit for the unused part of the current terms, charge for the
 *   rest of the period on the new ones (time-proportional, in milliseconds); the net is invoiced
 *   now or accrued to the next invoice by the target plan's proration setting;
 * - same cycle, cheaper or equal: applied at the period end, nothing due now;
 * - monthly → annually: applied now, paid in advance: a new annual period starts now, the unused
 *   part of the month is credited against the full annual price, and that is invoiced now;
 * - annually → monthly: applied at the end of the paid year (the year is not refunded).
 */
export function prorate(input: ProrationInput): ProrationResult {
  const fromPlan = findPlan(input.current.plan)!;
  const toPlan = findPlan(input.target.plan)!;
  const fromAmount = cyclePrice(fromPlan, input.currency, input.current.billing_cycle, input.current.max_users);
  const toAmount = cyclePrice(toPlan, input.currency, input.target.billing_cycle, input.target.max_users);
  const none = (effective: 'now' | 'period_end'): ProrationResult => ({
    effective,
    billing: 'none',
    fromAmount,
    toAmount,
    lines: [],
    credit: 0,
    charge: 0,
    net: 0,
    tax: 0,
    amountDue: 0,
    creditBalance: 0,
    newPeriodStart: input.periodStart,
    newPeriodEnd: input.periodEnd,
  });
  if (input.status === 'trialing') return none('now');

  const now = new Date(Math.min(Math.max(input.now.getTime(), input.periodStart.getTime()), input.periodEnd.getTime()));
  const whole = input.periodEnd.getTime() - input.periodStart.getTime();
  const remaining = input.periodEnd.getTime() - now.getTime();
  const cycleChange = input.current.billing_cycle !== input.target.billing_cycle;

  if (cycleChange && input.target.billing_cycle === 'monthly') return none('period_end');
  if (!cycleChange && toAmount <= fromAmount) return none(toAmount === fromAmount ? 'now' : 'period_end');

  const credit = share(fromAmount, remaining, whole);
  let charge: number;
  let newPeriodStart = input.periodStart;
  let newPeriodEnd = input.periodEnd;
  if (cycleChange) {
    charge = toAmount;
    newPeriodStart = now;
    newPeriodEnd = addCycle(now, input.target.billing_cycle);
  } else {
    charge = share(toAmount, remaining, whole);
  }
  const iso = (d: Date) => d.toISOString();
  const lines: InvoiceLineView[] = [];
  if (credit > 0) {
    lines.push({
      description: `Unused time on ${fromPlan.name} (${input.current.billing_cycle}, ${input.current.max_users} seats)`,
      kind: 'proration_credit',
      quantity: 1,
      unit_amount: -credit,
      amount: -credit,
      period_start: iso(now),
      period_end: iso(input.periodEnd),
    });
  }
  lines.push({
    description: cycleChange
      ? `${toPlan.name} (${input.target.billing_cycle}, ${input.target.max_users} seats), paid in advance`
      : `Remaining time on ${toPlan.name} (${input.target.billing_cycle}, ${input.target.max_users} seats)`,
    kind: 'proration_charge',
    quantity: 1,
    unit_amount: charge,
    amount: charge,
    period_start: iso(cycleChange ? newPeriodStart : now),
    period_end: iso(newPeriodEnd),
  });
  const net = charge - credit;
  const positive = Math.max(0, net);
  const invoiceNow = cycleChange || (toPlan.proration.mode === 'invoice_now' && positive >= toPlan.proration.invoice_now_threshold && positive > 0);
  const tax = invoiceNow ? Math.round((positive * input.taxRateBp) / 10_000) : 0;
  return {
    effective: 'now',
    billing: invoiceNow ? 'invoice_now' : 'accrue',
    fromAmount,
    toAmount,
    lines,
    credit,
    charge,
    net,
    tax,
    amountDue: invoiceNow ? positive + tax : 0,
    creditBalance: Math.max(0, -net),
    newPeriodStart,
    newPeriodEnd,
  };
}
