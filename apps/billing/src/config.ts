import { baseConfigSchema, z } from '@saas/config';
import { PlanCurrencies, TenantPlans, type TenantPlan } from '@saas/contracts';

const PLAN_TRIALS = /^[a-z]+:\d{1,3}(,[a-z]+:\d{1,3})*$/;
const COUNTRY_RATES = /^([A-Z]{2}:\d{1,2}(\.\d{1,2})?)(,[A-Z]{2}:\d{1,2}(\.\d{1,2})?)*$/;

export const billingConfigSchema = baseConfigSchema.extend({
  /** Payment provider: `sandbox` (embedded test cards, test clocks) or `stripe`. */
  BILLING_PAYMENT_PROVIDER: z.enum(['sandbox', 'stripe']).default('sandbox'),
  /** Stripe secret key (`sk_live_…`/`sk_test_…`); required with the stripe provider, never logged. */
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, 'STRIPE_SECRET_KEY must be a Stripe secret key').optional(),
  /** Base URL of the Stripe API (a fake server's in tests). */
  STRIPE_API_BASE: z.string().url().default('https://api.stripe.com'),
  /** Tax rate in percent per billing country, e.g. `DE:19,FR:20`; countries not listed (and none) pay 0. */
  BILLING_TAX_RATES: z
    .string()
    .refine((v) => v === '' || COUNTRY_RATES.test(v), 'BILLING_TAX_RATES must look like DE:19,FR:20')
    .default(''),
  /** Days after a failed renewal charge on which it is retried; after the last one the tenant is suspended. */
  BILLING_DUNNING_DAYS: z
    .string()
    .regex(/^\d{1,3}(,\d{1,3})*$/, 'BILLING_DUNNING_DAYS must look like 1,3,5,7')
    .refine((v) => v.split(',').map(Number).every((d, i, all) => d > 0 && (i === 0 || d > all[i - 1]!)), 'BILLING_DUNNING_DAYS must be increasing and positive')
    .default('1,3,5,7'),
  /** Currency of new subscriptions and of the revenue figures. */
  BILLING_CURRENCY: z.enum(PlanCurrencies).default('USD'),
  /**
   * Per-plan trial days overriding the catalogue's, e.g. `enterprise:0,standard:7`: a plan set to 0
   * has no trial, so its first invoice is charged when the tenant is created (and a tenant whose
   * first payment fails is held in `error` until it is paid). Plans not listed keep their trial.
   */
  BILLING_TRIAL_DAYS: z
    .string()
    .refine((v) => v === '' || PLAN_TRIALS.test(v), 'BILLING_TRIAL_DAYS must look like enterprise:0,standard:7')
    .refine((v) => v === '' || v.split(',').every((pair) => TenantPlans.includes(pair.split(':')[0] as TenantPlan)), `BILLING_TRIAL_DAYS names a plan that does not exist`)
    .default(''),
  /** How often each replica looks for due renewals and retries (every replica renews, on disjoint batches). */
  BILLING_RENEWAL_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  /**
   * The name of the inbound integration (webhooks service, `integrations/providers`, signature scheme
   * `stripe`) that receives Stripe's webhooks; its `payment_intent.succeeded` / `…payment_failed`
   * events settle or record billing's Stripe payments.
   */
  BILLING_STRIPE_WEBHOOK_PROVIDER: z.string().min(1).default('stripe'),
  /** Seller printed on invoices: name, then address lines separated by `|`. */
  BILLING_SELLER: z.string().min(1).default('SaaS Control Plane Ltd.|1 Platform Way|London EC1A 1AA|United Kingdom'),
}).superRefine((cfg, ctx) => {
  if (cfg.BILLING_PAYMENT_PROVIDER === 'stripe' && !cfg.STRIPE_SECRET_KEY) {
    ctx.addIssue({ code: 'custom', path: ['STRIPE_SECRET_KEY'], message: 'is required when BILLING_PAYMENT_PROVIDER=stripe' });
  }
});
export type BillingConfig = z.infer<typeof billingConfigSchema>;

/** `DE:19,FR:20` → basis points per country (19 % = 1900). */
export function parseTaxRates(spec: string): Record<string, number> {
  if (!spec) return {};
  return Object.fromEntries(spec.split(',').map((pair) => {
    const [country, percent] = pair.split(':');
    return [country!, Math.round(Number(percent) * 100)];
  }));
}

export function parseDunningDays(spec: string): number[] {
  return spec.split(',').map(Number);
}

/** `enterprise:0,standard:7` → trial days per plan code. */
export function parseTrialDays(spec: string): Partial<Record<TenantPlan, number>> {
  if (!spec) return {};
  return Object.fromEntries(spec.split(',').map((pair) => [pair.split(':')[0]!, Number(pair.split(':')[1])]));
}
