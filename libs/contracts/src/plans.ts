import type { TenantPlan } from './tenants.js';

/**
 * The one plan catalogue (ARCHITECTURE § Plans drive every limit). Billing prices subscriptions from
 * it; provisioning sizes instances, the gateway picks rate-limit tiers, backups keep retention and
 * webhooks cap endpoints from the same entries.
 *
 * Plans are versioned: a price change adds a new `version` here. Invoices copy the amounts they
 * charged (and the plan version), so a later change never rewrites what an issued invoice says.
 *
 * Money is integer minor units of an ISO 4217 currency (cents for USD and EUR).
 */

export const BillingCycles = Object.freeze(['monthly', 'annually'] as const);
export type BillingCycle = (typeof BillingCycles)[number];

export const PlanCurrencies = Object.freeze(['USD', 'EUR'] as const);
export type PlanCurrency = (typeof PlanCurrencies)[number];

/**
 * What a mid-cycle change that costs money does (a plan setting, not a global one):
 * - `invoice_now`: invoice the net amount at once when it reaches `invoice_now_threshold`, otherwise
 *   accrue it to the next period's invoice (so adding seats one by one does not produce dozens of
 *   tiny invoices, and a large upgrade is never left unpaid until a renewal a year away).
 * - `accrue`: always add it to the next period's invoice.
 */
export interface ProrationBehaviour {
  mode: 'invoice_now' | 'accrue';
  /** Minor units of the subscription's currency; net amounts below this accrue. */
  invoice_now_threshold: number;
}

export interface PlanLimits {
  /** Tenants one owner may have on this plan. */
  tenants_per_owner: number;
  /** Upper bound for `max_users` (seats) of a subscription. */
  max_seats: number;
  /** Kubernetes quantities, as provisioning puts them into manifests. */
  cpu_request: string;
  cpu_limit: string;
  memory_request: string;
  memory_limit: string;
  storage: string;
  backup_retention_days: number;
  /** A key of the gateway's RATE_LIMITS. */
  rate_limit_tier: 'standard' | 'premium' | 'enterprise';
  webhook_endpoints: number;
}

export interface PlanPrice {
  /** Base price per cycle, seats included. */
  amount: number;
  /** Each seat above `seats_included`, per cycle. */
  extra_seat_amount: number;
}

export interface PlanDefinition {
  code: TenantPlan;
  version: number;
  name: string;
  /** Ordering of plans: a higher tier is an upgrade. */
  tier: number;
  prices: Readonly<Record<PlanCurrency, Readonly<Record<BillingCycle, Readonly<PlanPrice>>>>>;
  /** 0 = no trial: the first period is charged when the subscription starts. */
  trial_days: number;
  seats_included: number;
  proration: Readonly<ProrationBehaviour>;
  limits: Readonly<PlanLimits>;
}

const price = (monthly: number, monthlySeat: number): Record<BillingCycle, PlanPrice> => ({
  monthly: { amount: monthly, extra_seat_amount: monthlySeat },
  // Two months free when paying a year in advance.
  annually: { amount: monthly * 10, extra_seat_amount: monthlySeat * 10 },
});

export const PLAN_CATALOGUE: Readonly<Record<TenantPlan, Readonly<PlanDefinition>>> = Object.freeze({
  free: {
    code: 'free',
    version: 1,
    name: 'Free',
    tier: 0,
    prices: { USD: price(0, 0), EUR: price(0, 0) },
    trial_days: 0,
    seats_included: 3,
    proration: { mode: 'accrue', invoice_now_threshold: 0 },
    limits: {
      tenants_per_owner: 1,
      max_seats: 3,
      cpu_request: '100m',
      cpu_limit: '500m',
      memory_request: '256Mi',
      memory_limit: '512Mi',
      storage: '1Gi',
      backup_retention_days: 3,
      rate_limit_tier: 'standard',
      webhook_endpoints: 1,
    },
  },
  standard: {
    code: 'standard',
    version: 1,
    name: 'Standard',
    tier: 1,
    prices: { USD: price(2_900, 500), EUR: price(2_700, 500) },
    trial_days: 14,
    seats_included: 5,
    proration: { mode: 'invoice_now', invoice_now_threshold: 1_000 },
    limits: {
      tenants_per_owner: 3,
      max_seats: 50,
      cpu_request: '500m',
      cpu_limit: '2',
      memory_request: '1Gi',
      memory_limit: '2Gi',
      storage: '20Gi',
      backup_retention_days: 14,
      rate_limit_tier: 'standard',
      webhook_endpoints: 5,
    },
  },
  premium: {
    code: 'premium',
    version: 1,
    name: 'Premium',
    tier: 2,
    prices: { USD: price(9_900, 800), EUR: price(9_200, 800) },
    trial_days: 14,
    seats_included: 20,
    proration: { mode: 'invoice_now', invoice_now_threshold: 1_000 },
    limits: {
      tenants_per_owner: 10,
      max_seats: 250,
      cpu_request: '1',
      cpu_limit: '4',
      memory_request: '2Gi',
      memory_limit: '4Gi',
      storage: '50Gi',
      backup_retention_days: 30,
      rate_limit_tier: 'premium',
      webhook_endpoints: 20,
    },
  },
  enterprise: {
    code: 'enterprise',
    version: 1,
    name: 'Enterprise',
    tier: 3,
    prices: { USD: price(49_900, 1_000), EUR: price(46_900, 1_000) },
    trial_days: 30,
    seats_included: 100,
    proration: { mode: 'invoice_now', invoice_now_threshold: 0 },
    limits: {
      tenants_per_owner: 50,
      max_seats: 10_000,
      cpu_request: '2',
      cpu_limit: '8',
      memory_request: '4Gi',
      memory_limit: '8Gi',
      storage: '200Gi',
      backup_retention_days: 90,
      rate_limit_tier: 'enterprise',
      webhook_endpoints: 100,
    },
  },
});

export const PlanCodes = Object.freeze(Object.keys(PLAN_CATALOGUE) as TenantPlan[]);

/** The catalogue entry of a plan code, or undefined for an unknown one. */
export function findPlan(code: string): Readonly<PlanDefinition> | undefined {
  return Object.hasOwn(PLAN_CATALOGUE, code) ? PLAN_CATALOGUE[code as TenantPlan] : undefined;
}

/** Price of one cycle of `plan` with `seats` seats (seats above the included ones cost extra). */
export function cyclePrice(plan: PlanDefinition, currency: PlanCurrency, cycle: BillingCycle, seats: number): number {
  const p = plan.prices[currency][cycle];
  return p.amount + Math.max(0, seats - plan.seats_included) * p.extra_seat_amount;
}
