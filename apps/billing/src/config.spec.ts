import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@saas/config';
import { billingConfigSchema, parseDunningDays, parseTaxRates, parseTrialDays } from './config.js';

describe('billing config', () => {
  it('boots on its embedded defaults: sandbox provider, no tax, dunning on days 1, 3, 5, 7', () => {
    const cfg = loadConfig('billing', billingConfigSchema, {});
    expect(cfg).toMatchObject({ BILLING_PAYMENT_PROVIDER: 'sandbox', BILLING_TAX_RATES: '', BILLING_DUNNING_DAYS: '1,3,5,7', BILLING_CURRENCY: 'USD' });
    expect(parseDunningDays(cfg.BILLING_DUNNING_DAYS)).toEqual([1, 3, 5, 7]);
  });

  it('reads tax rates per country in basis points', () => {
    expect(parseTaxRates('DE:19,FR:20,IE:23.5')).toEqual({ DE: 1_900, FR: 2_000, IE: 2_350 });
    expect(parseTaxRates('')).toEqual({});
  });

  it('reads per-plan trial overrides; unknown plans and junk are refused', () => {
    expect(parseTrialDays(loadConfig('billing', billingConfigSchema, { BILLING_TRIAL_DAYS: 'enterprise:0,standard:7' }).BILLING_TRIAL_DAYS)).toEqual({ enterprise: 0, standard: 7 });
    expect(parseTrialDays('')).toEqual({});
    expect(() => loadConfig('billing', billingConfigSchema, { BILLING_TRIAL_DAYS: 'platinum:0' })).toThrow(/BILLING_TRIAL_DAYS/);
    expect(() => loadConfig('billing', billingConfigSchema, { BILLING_TRIAL_DAYS: 'standard=7' })).toThrow(/BILLING_TRIAL_DAYS/);
  });

  it('refuses bad values, naming each, and the stripe provider without its key', () => {
    expect(() => loadConfig('billing', billingConfigSchema, { BILLING_TAX_RATES: 'germany=19' })).toThrow(/BILLING_TAX_RATES/);
    expect(() => loadConfig('billing', billingConfigSchema, { BILLING_DUNNING_DAYS: '3,1' })).toThrow(/BILLING_DUNNING_DAYS/);
    expect(() => loadConfig('billing', billingConfigSchema, { BILLING_PAYMENT_PROVIDER: 'stripe' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(loadConfig('billing', billingConfigSchema, { BILLING_PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_abc123' }).BILLING_PAYMENT_PROVIDER).toBe('stripe');
  });
});
