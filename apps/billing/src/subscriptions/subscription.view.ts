import { cyclePrice, findPlan, type SubscriptionEventData, type SubscriptionView } from '@saas/contracts';
import { isLive } from './subscription-state-machine.js';
import type { Subscription } from './subscription.entity.js';

export function subscriptionAmount(sub: Pick<Subscription, 'plan' | 'currency' | 'billingCycle' | 'maxUsers'>): number {
  const plan = findPlan(sub.plan);
  return plan ? cyclePrice(plan, sub.currency, sub.billingCycle, sub.maxUsers) : 0;
}

export function toSubscriptionView(sub: Subscription, seats: string[]): SubscriptionView {
  const live = isLive(sub.status);
  return {
    id: sub.id,
    tenant_id: sub.tenantId,
    owner_id: sub.ownerId,
    plan: sub.plan,
    plan_version: sub.planVersion,
    status: sub.status,
    billing_cycle: sub.billingCycle,
    currency: sub.currency,
    amount: subscriptionAmount(sub),
    max_users: sub.maxUsers,
    user_count: seats.length,
    subscribed_user_ids: seats,
    has_available_seats: seats.length < sub.maxUsers,
    payment_method_id: sub.paymentMethodId,
    billing_country: sub.billingCountry,
    start_date: sub.startDate.toISOString(),
    end_date: sub.endDate?.toISOString() ?? null,
    trial_end: sub.trialEnd?.toISOString() ?? null,
    current_period_start: sub.currentPeriodStart.toISOString(),
    current_period_end: sub.currentPeriodEnd.toISOString(),
    renewal_date: live && !sub.cancelAtPeriodEnd ? sub.currentPeriodEnd.toISOString() : null,
    cancel_at_period_end: sub.cancelAtPeriodEnd,
    canceled_at: sub.canceledAt?.toISOString() ?? null,
    is_active: live,
    pending_change: sub.pendingChange,
    accrued_amount: sub.accruedLines.reduce((sum, l) => sum + l.amount, 0),
    dunning: sub.status === 'past_due' || sub.status === 'unpaid' ? { attempts: sub.dunningAttempts, next_attempt_at: sub.nextRetryAt?.toISOString() ?? null } : null,
    test_clock_offset_s: Math.round(sub.clockOffsetMs / 1000),
    created_at: sub.createdAt.toISOString(),
    updated_at: sub.updatedAt.toISOString(),
  };
}

export function toSubscriptionEventData(sub: Subscription, extra: Partial<SubscriptionEventData> = {}): SubscriptionEventData {
  return {
    subscription_id: sub.id,
    tenant_id: sub.tenantId,
    owner_id: sub.ownerId,
    plan: sub.plan,
    status: sub.status,
    billing_cycle: sub.billingCycle,
    max_users: sub.maxUsers,
    amount: subscriptionAmount(sub),
    currency: sub.currency,
    is_active: isLive(sub.status),
    trial_ends_at: sub.trialEnd?.toISOString() ?? null,
    current_period_start: sub.currentPeriodStart.toISOString(),
    current_period_end: sub.currentPeriodEnd.toISOString(),
    start_date: sub.startDate.toISOString(),
    end_date: sub.endDate?.toISOString() ?? null,
    cancel_at_period_end: sub.cancelAtPeriodEnd,
    ...extra,
  };
}
