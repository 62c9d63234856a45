import type { SubscriptionStatus } from '@saas/contracts';
import { BillingException } from '../common/billing.exception.js';

/**
 * The subscription lifecycle:
 *
 *   trialing → active            (the first period is paid, or the plan is free)
 *   trialing | active → past_due (a charge failed; dunning retries it)
 *   past_due → active            (a retry or a new card paid the open invoice)
 *   past_due → unpaid            (the last dunning retry failed: the tenant is suspended)
 *   unpaid → active              (paid at last: the tenant is resumed)
 *   (any but canceled) → canceled
 *
 * Every change goes through SubscriptionLifecycle.transition, which checks this table.
 */
const TRANSITIONS: Readonly<Record<SubscriptionStatus, readonly SubscriptionStatus[]>> = Object.freeze({
  trialing: ['active', 'past_due', 'canceled'],
  active: ['past_due', 'canceled'],
  past_due: ['active', 'unpaid', 'canceled'],
  unpaid: ['active', 'canceled'],
  canceled: [],
});

export function canTransition(from: SubscriptionStatus, to: SubscriptionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: SubscriptionStatus, to: SubscriptionStatus): void {
  if (!canTransition(from, to)) throw BillingException.invalidState(from, `A subscription that is ${from} cannot become ${to}.`);
}

/** States in which the tenant may use what it pays for (seed 004 `is_active`). */
export function isLive(status: SubscriptionStatus): boolean {
  return status === 'trialing' || status === 'active' || status === 'past_due';
}

/** States in which plan, seats and cycle may change. */
export function isChangeable(status: SubscriptionStatus): boolean {
  return status === 'trialing' || status === 'active';
}
