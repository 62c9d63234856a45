import { randomUUID } from 'node:crypto';
import type { SubscriptionEventData, TenantEventData, TenantMemberEventData } from '@saas/contracts';

/**
 * Event data as the producing service sends it, for specs that play a producer (issue 8's test
 * builders): a complete payload of the type's catalogue class, with `overrides` on top. A consumer
 * validates `data` with the event catalogue and parks an event missing a required field, so a
 * hand-written partial payload would test a message no producer can send.
 */
export function tenantEventData(overrides: Partial<TenantEventData> & Record<string, unknown> = {}): TenantEventData & Record<string, unknown> {
  return {
    tenant_id: randomUUID(),
    name: 'Acme Corporation',
    slug: `acme-${randomUUID().slice(0, 8)}`,
    plan: 'standard',
    database_strategy: 'shared',
    status: 'pending',
    owner_id: randomUUID(),
    domain: null,
    custom_plugin_repo: null,
    admin_email: null,
    contact_email: null,
    billing_address: null,
    ...overrides,
  };
}

/** `tenant.member_added` / `tenant.member_removed` data. */
export function memberEventData(overrides: Partial<TenantMemberEventData> = {}): TenantMemberEventData & Record<string, unknown> {
  return { tenant_id: randomUUID(), user_id: randomUUID(), role: 'member', ...overrides };
}

/** `subscription.*` data: a monthly standard subscription in its first period, with `overrides` on top. */
export function subscriptionEventData(overrides: Partial<SubscriptionEventData> & Record<string, unknown> = {}): SubscriptionEventData {
  const start = new Date('2026-01-01T00:00:00Z');
  return {
    subscription_id: randomUUID(),
    tenant_id: randomUUID(),
    owner_id: randomUUID(),
    plan: 'standard',
    status: 'active',
    billing_cycle: 'monthly',
    max_users: 5,
    amount: 2900,
    currency: 'USD',
    is_active: true,
    trial_ends_at: null,
    current_period_start: start.toISOString(),
    current_period_end: new Date('2026-02-01T00:00:00Z').toISOString(),
    start_date: start.toISOString(),
    end_date: null,
    cancel_at_period_end: false,
    ...overrides,
  };
}
