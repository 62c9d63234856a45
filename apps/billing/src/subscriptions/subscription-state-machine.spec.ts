import { describe, expect, it } from '@jest/globals';
import { SubscriptionStatuses } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { assertTransition, canTransition, isLive } from './subscription-state-machine.js';

describe('subscription state machine', () => {
  it('allows trialing → active → past_due → unpaid → active and cancel from every live state', () => {
    for (const [from, to] of [
      ['trialing', 'active'],
      ['active', 'past_due'],
      ['past_due', 'unpaid'],
      ['unpaid', 'active'],
      ['past_due', 'active'],
      ['trialing', 'canceled'],
      ['active', 'canceled'],
      ['past_due', 'canceled'],
      ['unpaid', 'canceled'],
    ] as const) {
      expect(canTransition(from, to)).toBe(true);
    }
  });

  it('refuses everything out of canceled, and skipping dunning (active → unpaid)', () => {
    for (const to of SubscriptionStatuses) expect(canTransition('canceled', to)).toBe(false);
    expect(canTransition('active', 'unpaid')).toBe(false);
    expect(canTransition('active', 'trialing')).toBe(false);
    let err: unknown;
    try {
      assertTransition('canceled', 'active');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainException);
    expect((err as DomainException).code).toBe('INVALID_SUBSCRIPTION_STATE');
    expect((err as DomainException).status).toBe(409);
  });

  it('counts trialing, active and past_due as active (seed 004 is_active)', () => {
    expect(SubscriptionStatuses.filter(isLive)).toEqual(['trialing', 'active', 'past_due']);
  });
});
