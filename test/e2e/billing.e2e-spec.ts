import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PLAN_CATALOGUE } from '@saas/contracts';
import { TestPlatform, waitFor, type HttpResponse } from '@saas/testing';

/**
 * Billing as a customer and an operator see it, through the gateway with the real identity,
 * tenants, provisioning and billing services: a sign-up without a card gets a trial; a card is
 * added; the sandbox test clock ends the trial (invoice paid, PDF served); a declining card makes
 * the next renewal fail, dunning runs out and the tenant is suspended. On a plan without a trial, a
 * tenant whose first payment fails is held in error (BILLING_ERROR) until a working card pays it.
 */
const ADMIN = { email: 'billing-ops@example.com', password: 'Ops-Password-Strong-42' };
const PASSWORD = 'Billing-Owner-Password-42';

describe('billing through the gateway (e2e)', () => {
  let platform: TestPlatform;
  let runId: string;
  let adminToken: string;
  let ownerToken: string;
  let ownerId: string;
  let strangerToken: string;

  const call = (method: string, url: string, token?: string, body?: object): Promise<HttpResponse> => platform.call(method, url, token, body);
  const tenantStatus = async (id: string) => ((await call('GET', `/api/v1/tenants/${id}/status`, ownerToken)).json() as { status: string }).status;
  const until = (id: string, want: string, timeoutMs = 60_000) => waitFor(async () => (await tenantStatus(id)) === want, `tenant ${want}`, timeoutMs, 200);

  beforeAll(async () => {
    platform = await TestPlatform.start('billing_e2e', {
      services: ['identity', 'tenants', 'provisioning', 'billing'],
      admin: ADMIN,
      // Premium has no trial on this installation: its first invoice is charged at sign-up.
      serviceEnv: { billing: { BILLING_TRIAL_DAYS: 'premium:0' } },
    });
    runId = platform.runId;
    adminToken = await platform.adminToken();
    const owner = await platform.user('owner', { password: PASSWORD });
    ownerToken = owner.token;
    ownerId = owner.id;
    strangerToken = (await platform.user('stranger', { password: PASSWORD })).token;
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  }, 120_000);

  it('sign-up → trialing; card → test clock → invoice paid (PDF); declining card → past_due → suspended', async () => {
    const plans = await call('GET', '/api/v1/billing/plans');
    expect(plans.statusCode).toBe(200);
    expect(plans.json().results.map((p: { code: string }) => p.code)).toEqual(['free', 'standard', 'premium', 'enterprise']);

    const slug = `bill-${runId}`;
    const create = await call('POST', '/api/v1/tenants', ownerToken, { name: 'Billed Inc', subdomain: slug, billing_address: '5 Market Street, Dublin' });
    expect(create.statusCode).toBe(202);
    const tenant = create.json() as { id: string };

    // The billing step of the saga: a trial, without any card.
    const sub = await waitFor(async () => {
      const res = await call('GET', `/api/v1/tenants/${tenant.id}/subscriptions`, ownerToken);
      return res.statusCode === 200 && res.json().count === 1 ? res.json().results[0] : null;
    }, 'trialing subscription', 30_000, 200);
    expect(sub).toMatchObject({ tenant_id: tenant.id, plan: 'standard', status: 'trialing', is_active: true, user_count: 1, max_users: 5 });
    await until(tenant.id, 'active');
    // Identity's projection follows the subscription events (users/{id}/subscriptions).
    await waitFor(async () => {
      const res = await call('GET', `/api/v1/users/${ownerId}/subscriptions`, ownerToken);
      return res.statusCode === 200 && res.json().results.some((s: { id: string }) => s.id === sub.id);
    }, 'users/{id}/subscriptions shows it', 30_000, 200);

    expect((await call('GET', `/api/v1/billing/subscriptions/${sub.id}`, strangerToken)).statusCode).toBe(404);
    expect((await call('POST', `/api/v1/billing/test-clocks/${sub.id}/advance`, ownerToken, { days: 1 })).statusCode).toBe(403);

    const card = await call('POST', '/api/v1/billing/payment-methods', ownerToken, { tenant_id: tenant.id, card_number: '4242424242424242', exp_month: 12, exp_year: 2035 });
    expect(card.statusCode).toBe(201);
    expect(card.json()).toMatchObject({ brand: 'visa', last4: '4242', is_default: true });
    expect(card.body).not.toContain('4242424242424242');
    const unknownField = await call('POST', '/api/v1/billing/payment-methods', ownerToken, { tenant_id: tenant.id, card_number: '4242424242424242', exp_month: 12, exp_year: 2035, is_default: true });
    expect([unknownField.statusCode, unknownField.json().code]).toEqual([400, 'VALIDATION_FAILED']);

    const trialOver = await call('POST', `/api/v1/billing/test-clocks/${sub.id}/advance`, adminToken, { days: 15 });
    expect(trialOver.statusCode).toBe(200);
    expect(trialOver.json().status).toBe('active');
    const invoices = await call('GET', `/api/v1/billing/invoices?tenant_id=${tenant.id}`, ownerToken);
    expect(invoices.statusCode).toBe(200);
    expect(invoices.json()).toMatchObject({ count: 1, results: [{ status: 'paid', total: 2_900, kind: 'period' }] });
    const invoice = invoices.json().results[0] as { id: string; number: string };
    expect(invoice.number).toMatch(/^INV-\d{4}-\d{6}$/);
    const pdf = await call('GET', `/api/v1/billing/invoices/${invoice.id}/pdf`, ownerToken);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.body.startsWith('%PDF-')).toBe(true);
    expect((await call('GET', `/api/v1/billing/invoices/${invoice.id}`, strangerToken)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/billing/invoices/${invoice.id}/pdf`, strangerToken)).statusCode).toBe(404);

    // A declining card: the renewal fails, dunning retries, then the tenant is suspended.
    const bad = await call('POST', '/api/v1/billing/payment-methods', ownerToken, { tenant_id: tenant.id, card_number: '4000000000000002', exp_month: 12, exp_year: 2035, set_default: true });
    expect(bad.statusCode).toBe(201);
    const pastDue = await call('POST', `/api/v1/billing/test-clocks/${sub.id}/advance`, adminToken, { days: 30 });
    expect(pastDue.json()).toMatchObject({ status: 'past_due', dunning: { attempts: 0 } });
    const upgrade = await call('PUT', `/api/v1/billing/subscriptions/${sub.id}`, ownerToken, { plan: 'premium' });
    expect([upgrade.statusCode, upgrade.json().code]).toEqual([409, 'INVALID_SUBSCRIPTION_STATE']);
    const unpaid = await call('POST', `/api/v1/billing/test-clocks/${sub.id}/advance`, adminToken, { days: 8 });
    expect(unpaid.json().status).toBe('unpaid');
    await until(tenant.id, 'suspended');

    const stats = await call('GET', '/api/v1/admin/stats', adminToken);
    expect(stats.statusCode).toBe(200);
    expect(stats.json()).toMatchObject({ total_revenue: 2_900, currency: 'USD' });
    const metrics = (await call('GET', '/api/v1/admin/metrics/platform', adminToken)).json();
    expect(metrics.revenue).toMatchObject({ total_revenue: 2_900, currency: 'USD', by_plan: { standard: { revenue: 2_900 } } });
  }, 240_000);

  it('limits follow the subscription’s plan: the rate-limit tier moves with an upgrade and a downgrade, without a restart; the tenant’s plan is billing’s; an admin override is reported as one', async () => {
    // A user nobody gave a tier: the plans decide.
    const email = `planner-${runId}@example.com`;
    const created = await call('POST', '/api/v1/users', adminToken, { email, password: PASSWORD, full_name: 'Planner', email_verified: true });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ tier: 'standard', tier_source: 'plan', tier_override: null });
    const userId = created.json().id as string;
    const login = async () => (await call('POST', '/api/v1/auth/login', undefined, { email, password: PASSWORD })).json().access_token as string;
    const limitOf = async (token: string) => Number((await call('GET', '/api/v1/auth/session', token)).headers['x-ratelimit-limit']);
    // A fresh token per look: the tier travels in the access token.
    const untilLimit = (want: number, what: string) => waitFor(async () => ((await limitOf(await login())) === want ? true : null), what, 30_000, 300);
    let token = await login();
    expect(await limitOf(token)).toBe(1_000);

    const tenant = (await call('POST', '/api/v1/tenants', token, { name: 'Planned Ltd', subdomain: `planned-${runId}` })).json() as { id: string };
    const sub = await waitFor(async () => {
      const res = await call('GET', `/api/v1/tenants/${tenant.id}/subscriptions`, token);
      return res.statusCode === 200 && res.json().count === 1 ? (res.json().results[0] as { id: string; plan: string }) : null;
    }, 'the subscription', 30_000, 200);
    expect(sub.plan).toBe('standard');
    const instanceOf = async () => (await call('GET', `/api/v1/tenants/${tenant.id}/instance`, token)).json() as { plan: string; resources: Record<string, string> };
    const resourcesOf = (plan: 'standard' | 'premium') => {
      const { cpu_request, cpu_limit, memory_request, memory_limit } = PLAN_CATALOGUE[plan].limits;
      return { cpu_request, cpu_limit, memory_request, memory_limit };
    };
    const tenantStatusOf = async () => ((await call('GET', `/api/v1/tenants/${tenant.id}/status`, token)).json() as { status: string }).status;
    await waitFor(async () => (await tenantStatusOf()) === 'active', 'tenant active', 90_000, 200);

    // The tenant's plan is the subscription's: nobody sets it by hand on the tenant.
    const byHand = await call('PATCH', `/api/v1/tenants/${tenant.id}`, token, { plan: 'enterprise' });
    expect([byHand.statusCode, byHand.json().code]).toEqual([409, 'PLAN_MANAGED_BY_BILLING']);
    const byAdmin = await call('PATCH', `/api/v1/tenants/${tenant.id}`, adminToken, { plan: 'enterprise' });
    expect([byAdmin.statusCode, byAdmin.json().code]).toEqual([409, 'PLAN_MANAGED_BY_BILLING']);

    // Upgrade (in the trial: at once, nothing to pay): premium's rate limits, and the tenant follows (resized).
    const upgrade = await call('PUT', `/api/v1/billing/subscriptions/${sub.id}`, token, { plan: 'premium' });
    expect([upgrade.statusCode, upgrade.json().plan]).toEqual([200, 'premium']);
    await untilLimit(5_000, 'the premium rate limit after the upgrade');
    await waitFor(async () => ((await call('GET', `/api/v1/tenants/${tenant.id}`, token)).json().plan === 'premium' ? true : null), 'the tenant on premium', 30_000, 300);
    // Provisioning sized the instance from the plan (the resize that billing's plan change started).
    await waitFor(async () => ((await instanceOf()).plan === 'premium' ? true : null), 'the instance on premium', 90_000, 300);
    expect((await instanceOf()).resources).toMatchObject(resourcesOf('premium'));
    await waitFor(async () => (await tenantStatusOf()) === 'active', 'tenant active after the resize', 90_000, 200);
    // Downgrade: standard's again.
    const downgrade = await call('PUT', `/api/v1/billing/subscriptions/${sub.id}`, token, { plan: 'standard' });
    expect([downgrade.statusCode, downgrade.json().plan]).toEqual([200, 'standard']);
    await untilLimit(1_000, 'the standard rate limit after the downgrade');
    await waitFor(async () => ((await instanceOf()).plan === 'standard' ? true : null), 'the instance back on standard', 90_000, 300);
    expect((await instanceOf()).resources).toMatchObject(resourcesOf('standard'));

    // An admin's override replaces the plan's tier (no max() under it), and says so.
    const overridden = await call('PATCH', `/api/v1/users/${userId}`, adminToken, { tier: 'enterprise' });
    expect(overridden.json()).toMatchObject({ tier: 'enterprise', tier_source: 'override', tier_override: 'enterprise' });
    token = await login();
    expect(await limitOf(token)).toBe(10_000);
    expect((await call('GET', '/api/v1/auth/session', token)).json()).toMatchObject({ tier: 'enterprise' });
    const cleared = await call('PATCH', `/api/v1/users/${userId}`, adminToken, { tier: null });
    expect(cleared.json()).toMatchObject({ tier: 'standard', tier_source: 'plan', tier_override: null });
    expect(await limitOf(await login())).toBe(1_000);
  }, 240_000);

  it('a plan without a trial: the first payment fails → tenant error BILLING_ERROR with the reason; a working card pays it and the tenant is provisioned', async () => {
    const plans = (await call('GET', '/api/v1/billing/plans')).json().results as Array<{ code: string; trial_days: number }>;
    expect(plans.find((p) => p.code === 'premium')!.trial_days).toBe(0);
    expect(plans.find((p) => p.code === 'standard')!.trial_days).toBe(14);

    const status = async (id: string) => (await call('GET', `/api/v1/tenants/${id}/status`, strangerToken)).json() as { status: string; error: string | null; error_code: string | null };
    const create = await call('POST', '/api/v1/tenants', strangerToken, { name: 'No Trial Inc', subdomain: `notrial-${runId}`, plan: 'premium' });
    expect(create.statusCode).toBe(202);
    const tenant = create.json() as { id: string };

    // No card at sign-up: the first charge fails, the tenant does not become active.
    const held = await waitFor(async () => {
      const s = await status(tenant.id);
      return s.status === 'error' ? s : null;
    }, 'tenant in error', 30_000, 200);
    expect(held).toMatchObject({ error_code: 'BILLING_ERROR', error: 'The tenant has no payment method.' });
    const sub = (await call('GET', `/api/v1/tenants/${tenant.id}/subscriptions`, strangerToken)).json().results[0] as { id: string; status: string };
    expect(sub.status).toBe('past_due');
    // Provisioning's late report of the first attempt does not make it active.
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await status(tenant.id)).status).toBe('error');

    // A declining card: still held, the decline is the reason now.
    const declining = await call('POST', '/api/v1/billing/payment-methods', strangerToken, { tenant_id: tenant.id, card_number: '4000000000000002', exp_month: 12, exp_year: 2035 });
    expect(declining.statusCode).toBe(201);
    await waitFor(async () => (await status(tenant.id)).error === 'Your card was declined.', 'the decline as the reason', 30_000, 200);
    expect(await status(tenant.id)).toMatchObject({ status: 'error', error_code: 'BILLING_ERROR' });

    // A working card pays the first invoice; the saga goes on and the tenant is provisioned.
    const card = await call('POST', '/api/v1/billing/payment-methods', strangerToken, { tenant_id: tenant.id, card_number: '4242424242424242', exp_month: 12, exp_year: 2035, set_default: true });
    expect(card.statusCode).toBe(201);
    // (The tenant is the stranger's: `until` reads as the first owner.)
    await waitFor(async () => (await status(tenant.id)).status === 'active', 'tenant active', 90_000, 200);
    expect(await status(tenant.id)).toMatchObject({ error: null, error_code: null });
    expect((await call('GET', `/api/v1/billing/subscriptions/${sub.id}`, strangerToken)).json()).toMatchObject({ status: 'active', dunning: null });
    const invoices = (await call('GET', `/api/v1/billing/invoices?tenant_id=${tenant.id}`, strangerToken)).json();
    expect(invoices).toMatchObject({ count: 1, results: [{ status: 'paid', total: 9_900, kind: 'period', plan: 'premium' }] });
  }, 240_000);
});
