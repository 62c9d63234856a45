import type { EntityManager } from 'typeorm';
import { findPlan } from '@saas/contracts';
import { UserSubscription } from '../projections/user-subscription.entity.js';
import type { PlanTier, User } from './user.entity.js';

const ORDER: readonly PlanTier[] = ['standard', 'premium', 'enterprise'];

/**
 * The rate-limit tier a user's tokens and API keys carry: plan-driven — the most generous
 * `rate_limit_tier` among the plans of the live subscriptions the user owns (identity's projection
 * of billing's subscription events) — with the tier set on the user as the floor. A plan change or
 * a cancellation reaches the gateway with the next access token (minutes) or API-key check.
 */
export async function effectivePlanTier(em: EntityManager, user: Pick<User, 'id' | 'planTier'>): Promise<PlanTier> {
  const owned = await em.getRepository(UserSubscription).find({ where: { userId: user.id, isActive: true }, select: { id: true, plan: true } });
  let best = ORDER.indexOf(user.planTier);
  for (const sub of owned) best = Math.max(best, ORDER.indexOf(findPlan(sub.plan ?? '')?.limits.rate_limit_tier ?? 'standard'));
  return ORDER[Math.max(0, best)]!;
}
