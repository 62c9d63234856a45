import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { createEnvelope, IdentityRpc, type AuditLogView, type CallerDto, type ListResult, type UserTenantView, type UserSubscriptionView, type UserView } from '@saas/contracts';
import { SubjectNaming } from '@saas/messaging';
import { memberEventData, subscriptionEventData, tenantEventData, waitFor } from '@saas/testing';
import { failure, IdentityHarness, STRONG_PASSWORD } from '../../test/identity-harness.js';

jest.setTimeout(60_000);

describe('audit log and projections from events', () => {
  let h: IdentityHarness;
  let admin: CallerDto;

  beforeAll(async () => {
    h = await IdentityHarness.start('identity_audit');
    admin = await h.admin();
  });

  afterAll(async () => {
    await h?.stop();
  });

  /** Publishes an event the way another service's outbox relay would. */
  async function publish(type: string, data: Record<string, unknown>, tenantId: string | null = null): Promise<string> {
    const envelope = createEnvelope({ type, data, tenantId, actor: { type: 'service', id: 'tenants' } });
    const js = jetstream(await h.env.nats());
    await js.publish(new SubjectNaming(h.env.prefix).event(type), JSON.stringify(envelope), { msgID: envelope.id });
    return envelope.id;
  }

  const audit = (caller: CallerDto, filters: Record<string, unknown> = {}) => h.call<ListResult<AuditLogView>>(IdentityRpc.auditLogsList, { caller, ...filters });

  it('records every change from its event, with secrets redacted, and filters the log', async () => {
    const frank = await h.signUp('frank@example.com');
    await h.call(IdentityRpc.updateMe, { caller: frank.caller, first_name: 'Franklin', password: 'Another-Strong-Pass-9', current_password: STRONG_PASSWORD });

    const created = await waitFor(async () => {
      const page = await audit(admin, { action: 'created', resource_type: 'user', user_id: frank.tokens.user.id });
      return page.count === 1 ? page.results[0] : undefined;
    }, 'the user.created audit entry');
    expect(created).toMatchObject({
      event_type: 'user.created',
      action: 'create',
      resource_type: 'user',
      resource_id: frank.tokens.user.id,
      actor_type: 'user',
      user: { id: frank.tokens.user.id, email: 'frank@example.com' },
      old_values: null,
    });
    expect(created!.new_values).toMatchObject({ email: 'frank@example.com' });

    const updated = await waitFor(async () => (await audit(admin, { action: 'updated', user_id: frank.tokens.user.id })).results.find((r) => r.new_values?.first_name), 'user.updated');
    expect(updated).toMatchObject({ old_values: { first_name: 'Test' }, new_values: { first_name: 'Franklin' }, ip_address: '203.0.113.10', user_agent: 'jest' });

    const logins = await waitFor(async () => {
      const page = await audit(admin, { resource_type: 'user', action: 'logged_in', user_id: frank.tokens.user.id });
      return page.count >= 1 ? page : undefined;
    }, 'user.logged_in');
    expect(logins.results[0]!.event_type).toBe('user.logged_in');

    // API key events: secret-looking fields are redacted wherever they are.
    const key = await h.call<{ id: string }>(IdentityRpc.apiKeysCreate, { caller: frank.caller, name: 'ci' });
    const keyEntry = await waitFor(async () => (await audit(admin, { resource_type: 'api_key' })).results.find((r) => r.resource_id === key.id), 'api_key.created');
    expect(keyEntry.new_values).toMatchObject({ api_key_id: '[REDACTED]', name: 'ci' });
    expect(JSON.stringify(keyEntry)).not.toMatch(/sk_[a-z0-9]{8}_/);

    // An event from elsewhere with secrets inside.
    const eventId = await publish('integration.updated', { integration_id: 'i-1', changes: { old: { secret_key: 'old' }, new: { secret_key: 'new', config: { api_token: 'x', url: 'https://x' } } } });
    const foreign = await waitFor(async () => (await audit(admin, { resource_type: 'integration' })).results.find((r) => r.event_id === eventId), 'integration.updated');
    expect(foreign).toMatchObject({ resource_id: 'i-1', actor_type: 'service', old_values: { secret_key: '[REDACTED]' }, new_values: { secret_key: '[REDACTED]', config: { api_token: '[REDACTED]', url: 'https://x' } } });

    // Date filters and pagination.
    const future = await audit(admin, { date_from: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.count).toBe(0);
    const page = await audit(admin, { page: 1, page_size: 2, ordering: '-timestamp' });
    expect(page.results).toHaveLength(2);
    expect(page.count).toBeGreaterThan(2);
    expect((await failure(audit(admin, { ordering: 'password' }))).code).toBe('VALIDATION_FAILED');

    // Nothing in the log carries a password or its hash.
    const db = await h.env.pg();
    try {
      const { rows } = await db.query(`SELECT old_values::text || new_values::text AS v FROM identity.audit_logs`);
      expect(rows.map((r) => r.v).join('\n')).not.toMatch(/argon2|Another-Strong-Pass|Correct-Horse/);
    } finally {
      await db.end();
    }
  });

  it('scopes the audit log of a non-admin to tenants they own (from the tenant projection)', async () => {
    const grace = await h.signUp('grace@example.com');
    const heidi = await h.signUp('heidi@example.com');
    const tenantId = randomUUID();

    expect((await failure(audit(grace.caller))).code).toBe('FORBIDDEN');
    expect((await failure(audit(grace.caller, { tenant_id: tenantId }))).code).toBe('TENANT_NOT_FOUND');

    const tenantData = tenantEventData({ tenant_id: tenantId, name: 'Grace Co', slug: 'grace', domain: 'grace.example.com', owner_id: grace.tokens.user.id, database_strategy: 'dedicated' });
    await publish('tenant.created', { ...tenantData, future_field: { x: 1 } }, tenantId);
    await publish('tenant.member_added', memberEventData({ tenant_id: tenantId, user_id: heidi.tokens.user.id }), tenantId);

    const tenants = await waitFor(async () => {
      const page = await h.call<ListResult<UserTenantView>>(IdentityRpc.usersTenants, { caller: grace.caller, id: grace.tokens.user.id });
      return page.count === 1 ? page : undefined;
    }, 'the tenant projection');
    expect(tenants.results[0]).toMatchObject({ id: tenantId, name: 'Grace Co', domain: 'grace.example.com', role: 'owner', is_active: true });
    // `search` over the tenant's name and domain (it used to be accepted and ignored).
    expect((await h.call<ListResult<UserTenantView>>(IdentityRpc.usersTenants, { caller: grace.caller, id: grace.tokens.user.id, search: 'grace co' })).count).toBe(1);
    expect((await h.call<ListResult<UserTenantView>>(IdentityRpc.usersTenants, { caller: grace.caller, id: grace.tokens.user.id, search: 'acme' })).count).toBe(0);
    const owned = await h.call<ListResult<UserTenantView>>(IdentityRpc.usersOwnedTenants, { caller: grace.caller, id: grace.tokens.user.id });
    expect(owned.count).toBe(1);

    const heidiTenants = await waitFor(async () => {
      const page = await h.call<ListResult<UserTenantView>>(IdentityRpc.usersTenants, { caller: heidi.caller, id: heidi.tokens.user.id });
      return page.count === 1 ? page : undefined;
    }, 'membership projection');
    expect(heidiTenants.results[0]).toMatchObject({ id: tenantId, name: 'Grace Co', role: 'member' });
    expect((await h.call<ListResult<UserTenantView>>(IdentityRpc.usersOwnedTenants, { caller: heidi.caller, id: heidi.tokens.user.id })).count).toBe(0);

    // The owner reads the tenant's log; a mere member does not.
    const log = await waitFor(async () => {
      const page = await audit(grace.caller, { tenant_id: tenantId });
      return page.count >= 2 ? page : undefined;
    }, 'tenant audit entries');
    expect(log.results.map((r) => r.event_type).sort()).toEqual(['tenant.created', 'tenant.member_added']);
    expect(log.results.every((r) => r.tenant_id === tenantId)).toBe(true);
    expect((await failure(audit(heidi.caller, { tenant_id: tenantId }))).code).toBe('TENANT_NOT_FOUND');

    // Subscriptions of owned tenants show up; partial updates merge.
    const subscriptionId = randomUUID();
    const subscription = subscriptionEventData({ subscription_id: subscriptionId, tenant_id: tenantId, owner_id: grace.tokens.user.id, plan: 'premium', status: 'trialing', start_date: '2026-01-01T00:00:00Z' });
    await publish('subscription.created', subscription, tenantId);
    await publish('subscription.updated', { ...subscription, status: 'canceled', is_active: false, changed_fields: ['status'] }, tenantId);
    const subs = await waitFor(async () => {
      const page = await h.call<ListResult<UserSubscriptionView>>(IdentityRpc.usersSubscriptions, { caller: grace.caller, id: grace.tokens.user.id });
      return page.results[0]?.status === 'canceled' ? page : undefined;
    }, 'subscription projection');
    expect(subs.results[0]).toMatchObject({ id: subscriptionId, tenant_id: tenantId, plan: 'premium', is_active: false, start_date: '2026-01-01T00:00:00.000Z' });
    expect((await h.call<ListResult<UserSubscriptionView>>(IdentityRpc.usersSubscriptions, { caller: grace.caller, id: grace.tokens.user.id, search: 'premium' })).count).toBe(1);
    expect((await h.call<ListResult<UserSubscriptionView>>(IdentityRpc.usersSubscriptions, { caller: grace.caller, id: grace.tokens.user.id, search: 'enterprise' })).count).toBe(0);

    // Status changes and updates reach the projection: a suspended tenant is not active; a rename shows.
    await publish('tenant.status_changed', { ...tenantData, status: 'suspended', from: 'active', to: 'suspended', reason: 'billing' }, tenantId);
    const suspended = await waitFor(async () => {
      const page = await h.call<ListResult<UserTenantView>>(IdentityRpc.usersTenants, { caller: heidi.caller, id: heidi.tokens.user.id });
      return page.results[0]?.is_active === false ? page : undefined;
    }, 'a suspended tenant in the projection');
    expect(suspended.results[0]).toMatchObject({ id: tenantId, is_active: false });
    await publish('tenant.status_changed', { ...tenantData, status: 'active', from: 'suspended', to: 'active', reason: null }, tenantId);
    await publish('tenant.updated', { ...tenantData, name: 'Grace Holdings', status: 'active', changes: { old: { name: 'Grace Co' }, new: { name: 'Grace Holdings' } } }, tenantId);
    const renamed = await waitFor(async () => {
      const page = await h.call<ListResult<UserTenantView>>(IdentityRpc.usersTenants, { caller: grace.caller, id: grace.tokens.user.id });
      return page.results[0]?.name === 'Grace Holdings' ? page : undefined;
    }, 'a renamed tenant in the projection');
    expect(renamed.results[0]).toMatchObject({ id: tenantId, name: 'Grace Holdings', is_active: true });

    // Other users' projections are not readable; member removal and tenant deletion apply.
    expect((await failure(h.call(IdentityRpc.usersTenants, { caller: heidi.caller, id: grace.tokens.user.id }))).code).toBe('USER_NOT_FOUND');
    await publish('tenant.member_removed', memberEventData({ tenant_id: tenantId, user_id: heidi.tokens.user.id }), tenantId);
    await publish('tenant.deleted', { ...tenantData, status: 'deleted' }, tenantId);
    await waitFor(async () => {
      const page = await h.call<ListResult<UserTenantView>>(IdentityRpc.usersTenants, { caller: admin, id: grace.tokens.user.id });
      return page.count === 0;
    }, 'tenant deletion in the projection');
    expect((await h.call<ListResult<UserTenantView>>(IdentityRpc.usersTenants, { caller: heidi.caller, id: heidi.tokens.user.id })).count).toBe(0);
  });
  it('the rate-limit tier in access tokens is plan-driven: the plans of the live subscriptions the user owns; an admin override replaces it, explicitly and audited', async () => {
    const ivan = await h.signUp('ivan.plans@example.com');
    const tierOf = async () => (await h.verify((await h.login('ivan.plans@example.com')).access_token)).tier;
    expect(await tierOf()).toBe('standard');
    const tenantId = randomUUID();
    const subscriptionId = randomUUID();
    const subscription = subscriptionEventData({ subscription_id: subscriptionId, tenant_id: tenantId, owner_id: ivan.tokens.user.id, plan: 'enterprise', status: 'active' });
    await publish('subscription.created', subscription, tenantId);
    await waitFor(async () => ((await tierOf()) === 'enterprise' ? true : undefined), 'an enterprise tier from the enterprise subscription');
    // A downgrade, then a cancellation, take it back down.
    await publish('subscription.updated', { ...subscription, plan: 'premium' }, tenantId);
    await waitFor(async () => ((await tierOf()) === 'premium' ? true : undefined), 'premium after the downgrade');
    await publish('subscription.updated', { ...subscription, plan: 'premium', status: 'canceled', is_active: false }, tenantId);
    await waitFor(async () => ((await tierOf()) === 'standard' ? true : undefined), 'standard after the cancellation');

    // An admin's override is no floor: it replaces the plans' tier (lower too), and the user's view says so.
    const userId = ivan.tokens.user.id;
    await publish('subscription.created', subscriptionEventData({ tenant_id: tenantId, owner_id: userId, plan: 'enterprise', status: 'active' }), tenantId);
    await waitFor(async () => ((await tierOf()) === 'enterprise' ? true : undefined), 'enterprise from the new subscription');
    expect(await h.call<UserView>(IdentityRpc.usersGet, { caller: admin, id: userId })).toMatchObject({ tier: 'enterprise', tier_source: 'plan', tier_override: null });
    const overridden = await h.call<UserView>(IdentityRpc.usersUpdate, { caller: admin, id: userId, tier: 'standard' });
    expect(overridden).toMatchObject({ tier: 'standard', tier_source: 'override', tier_override: 'standard' });
    expect(await tierOf()).toBe('standard');
    const listed = await h.call<ListResult<UserView>>(IdentityRpc.usersList, { caller: admin, search: 'ivan.plans' });
    expect(listed.results.map((u) => [u.tier, u.tier_source])).toEqual([['standard', 'override']]);
    const entry = await waitFor(async () => (await audit(admin, { action: 'updated', resource_type: 'user' })).results.find((r) => r.resource_id === userId && r.new_values?.tier_override === 'standard'), 'the override in the audit log');
    expect(entry).toMatchObject({ old_values: { tier_override: null }, new_values: { tier_override: 'standard' } });
    // Removing it hands the tier back to the plans.
    expect(await h.call<UserView>(IdentityRpc.usersUpdate, { caller: admin, id: userId, tier: null })).toMatchObject({ tier: 'enterprise', tier_source: 'plan', tier_override: null });
    expect(await tierOf()).toBe('enterprise');
  });
});
