import { In, type EntityManager } from 'typeorm';
import { findPlan, type UserTierSource } from '@saas/contracts';
import { UserSubscription } from '../projections/user-subscription.entity.js';
import type { PlanTier, User } from './user.entity.js';

/** Least to most generous. */
export const TIER_ORDER: readonly PlanTier[] = ['standard', 'premium', 'enterprise'];

export interface EffectiveTier {
  tier: PlanTier;
  source: UserTierSource;
}

/**
 * The rate-limit tier a user's tokens and API keys carry. Plan-driven: the most generous
 * `rate_limit_tier` among the plans of the live subscriptions the user owns (identity's projection
 * of billing's subscription events), `standard` without any. An admin's override, when set, replaces
 * it outright (never a max() under the plans) and is reported as `source: 'override'`. A plan change
 * or a cancellation reaches the gateway with the next access token (minutes) or API-key check.
 */
export async function effectivePlanTier(em: EntityManager, user: Pick<User, 'id' | 'tierOverride'>): Promise<PlanTier> {
  return (await effectiveTiers(em, [user])).get(user.id)!.tier;
}

/** effectivePlanTier of many users in one query (user lists). */
export async function effectiveTiers(em: EntityManager, users: ReadonlyArray<Pick<User, 'id' | 'tierOverride'>>): Promise<Map<string, EffectiveTier>> {
  const result = new Map<string, EffectiveTier>();
  const planDriven = users.filter((u) => {
    if (u.tierOverride) result.set(u.id, { tier: u.tierOverride, source: 'override' });
    return !u.tierOverride;
  });
  const owned = planDriven.length
    ? await em.getRepository(UserSubscription).find({ where: { userId: In(planDriven.map((u) => u.id)), isActive: true }, select: { userId: true, plan: true } })
    : [];
  for (const u of planDriven) {
    let best = 0;
    for (const sub of owned) if (sub.userId === u.id) best = Math.max(best, TIER_ORDER.indexOf(findPlan(sub.plan ?? '')?.limits.rate_limit_tier ?? 'standard'));
    result.set(u.id, { tier: TIER_ORDER[best]!, source: 'plan' });
  }
  return result;
}
