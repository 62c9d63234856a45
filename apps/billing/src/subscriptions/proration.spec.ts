import { describe, expect, it } from '@jest/globals';
import { prorate, type ProrationInput } from './proration.js';

const start = new Date('2026-03-01T00:00:00.000Z');
const end = new Date('2026-04-01T00:00:00.000Z'); // 31 days
const mid = new Date('2026-03-16T12:00:00.000Z'); // exactly half of the period left

const base = (over: Partial<ProrationInput>): ProrationInput => ({
  status: 'active',
  currency: 'USD',
  current: { plan: 'standard', max_users: 5, billing_cycle: 'monthly' },
  target: { plan: 'premium', max_users: 20, billing_cycle: 'monthly' },
  periodStart: start,
  periodEnd: end,
  now: mid,
  taxRateBp: 0,
  ...over,
});

describe('proration (exact minor units)', () => {
  it('upgrades now mid-period: half the old price credited, half the new one charged, invoiced with both lines', () => {
    const r = prorate(base({}));
    expect(r).toMatchObject({ effective: 'now', billing: 'invoice_now', fromAmount: 2_900, toAmount: 9_900, credit: 1_450, charge: 4_950, net: 3_500, amountDue: 3_500 });
    expect(r.lines.map((l) => [l.kind, l.amount])).toEqual([
      ['proration_credit', -1_450],
      ['proration_charge', 4_950],
    ]);
    expect(r.newPeriodEnd).toEqual(end);
  });

  it('adds tax of the buyer country on the net amount', () => {
    const r = prorate(base({ taxRateBp: 1_900 }));
    expect(r.tax).toBe(665); // 19 % of 35.00
    expect(r.amountDue).toBe(4_165);
  });

  it('rounds time shares half up to the cent', () => {
    // 10 of 31 days left: 2900 × 10/31 = 935.48 → 935; 9900 × 10/31 = 3193.55 → 3194.
    const r = prorate(base({ now: new Date('2026-03-22T00:00:00.000Z') }));
    expect([r.credit, r.charge, r.net]).toEqual([935, 3_194, 2_259]);
  });

  it('accrues an extra seat below the plan threshold instead of a tiny invoice', () => {
    // One more seat on standard (5.00/month), half a month left: 2.50 < the 10.00 threshold.
    const r = prorate(base({ target: { plan: 'standard', max_users: 6, billing_cycle: 'monthly' } }));
    expect(r).toMatchObject({ effective: 'now', billing: 'accrue', credit: 1_450, charge: 1_700, net: 250, amountDue: 0 });
  });

  it('defers a downgrade to the end of the period with nothing due', () => {
    const r = prorate(base({ current: { plan: 'premium', max_users: 20, billing_cycle: 'monthly' }, target: { plan: 'standard', max_users: 5, billing_cycle: 'monthly' } }));
    expect(r).toMatchObject({ effective: 'period_end', billing: 'none', amountDue: 0, credit: 0, charge: 0 });
  });

  it('monthly → annually starts a paid-in-advance year now: the full annual price less the unused half month', () => {
    const r = prorate(base({ target: { plan: 'standard', max_users: 5, billing_cycle: 'annually' } }));
    expect(r).toMatchObject({ effective: 'now', billing: 'invoice_now', fromAmount: 2_900, toAmount: 29_000, credit: 1_450, charge: 29_000, net: 27_550, amountDue: 27_550 });
    expect(r.newPeriodStart).toEqual(mid);
    expect(r.newPeriodEnd).toEqual(new Date('2027-03-16T12:00:00.000Z'));
  });

  it('monthly → annually on a dearer plan credits the old month and charges the new annual price', () => {
    const r = prorate(base({ target: { plan: 'premium', max_users: 20, billing_cycle: 'annually' } }));
    expect([r.credit, r.charge, r.amountDue]).toEqual([1_450, 99_000, 97_550]);
  });

  it('annually → monthly waits for the end of the paid year (no refund of the year)', () => {
    const r = prorate(
      base({
        current: { plan: 'standard', max_users: 5, billing_cycle: 'annually' },
        target: { plan: 'standard', max_users: 5, billing_cycle: 'monthly' },
        periodStart: new Date('2026-01-01T00:00:00Z'),
        periodEnd: new Date('2027-01-01T00:00:00Z'),
      }),
    );
    expect(r).toMatchObject({ effective: 'period_end', billing: 'none', amountDue: 0 });
  });

  it('an annual upgrade prorates over the year', () => {
    // 2026 has 365 days; from July 2 (noon) 182.5 days are left: exactly half.
    const r = prorate(
      base({
        current: { plan: 'standard', max_users: 5, billing_cycle: 'annually' },
        target: { plan: 'premium', max_users: 20, billing_cycle: 'annually' },
        periodStart: new Date('2026-01-01T00:00:00Z'),
        periodEnd: new Date('2027-01-01T00:00:00Z'),
        now: new Date('2026-07-02T12:00:00Z'),
      }),
    );
    expect([r.credit, r.charge, r.net]).toEqual([14_500, 49_500, 35_000]);
  });

  it('in a trial, applies the change now and charges nothing', () => {
    const r = prorate(base({ status: 'trialing' }));
    expect(r).toMatchObject({ effective: 'now', billing: 'none', amountDue: 0, lines: [] });
  });
});
