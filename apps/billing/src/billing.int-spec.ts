import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BillingRpc,
  EventTypes,
  TenantsRpc,
  type CallerDto } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { publishEvent, readEvents, REPO_ROOT, startService, TestEnv, waitFor, type ManagedProcess } from '@saas/testing';
import { AppModule } from './app.module.js';
import { billingConfigSchema } from './config.js';
import { billingEntities } from './entities.js';
import { billingMigrations } from './migrations/index.js';
import { PaymentProvider } from './payments/payment-provider.js';
import { RenewalService } from './renewals/renewal.service.js';
import { SubscriptionLifecycle } from './subscriptions/subscription-lifecycle.js';

const user = (id = randomUUID()): CallerDto => ({ actor: { type: 'user', id }, roles: ['user'], tier: 'premium' });
const admin: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['admin', 'user'] };
const DAY_S = 86_400;

async function rejection(p: Promise<unknown>): Promise<DomainException> {
  try {
    await p;
  } catch (e) {
    return e as DomainException;
  }
  throw new Error('expected a rejection');
}

/**
 * The billing service in-process against real Postgres and NATS, with a real tenants service (from
 * dist) for tenant access and the billing → tenants actions (suspend/resume). Provisioning is not
 * running: the test reports its outcomes as events, as the tenants int-spec does.
 */
describe('billing service (real Postgres + NATS, real tenants service)', () => {
  let env: TestEnv;
  let tenantsProc: ManagedProcess;
  let svc: RunningService;
  let rpc: RpcClient;

  beforeAll(async () => {
    execFileSync(process.execPath, ['tools/build.mjs'], { cwd: REPO_ROOT, env: { ...process.env, BUILD_QUIET: '1' } });
    env = await TestEnv.create('billing');
    tenantsProc = await startService('tenants', env.env());
    svc = await bootstrapService({
      service: 'billing',
      module: AppModule,
      entities: billingEntities,
      migrations: billingMigrations,
      configSchema: billingConfigSchema,
      // The scheduler is not what these tests drive: they call renewals and test clocks directly.
      env: env.env({ BILLING_RENEWAL_INTERVAL_MS: '3600000', BILLING_TAX_RATES: 'DE:19' }),
    });
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 10_000);
  }, 90_000);

  afterAll(async () => {
    await svc?.shutdown();
    await tenantsProc?.kill('SIGTERM');
    await env?.cleanup();
  }, 60_000);

  const subscriptionOf = (caller: CallerDto, tenantId: string) =>
    waitFor(async () => (await rpc.call(BillingRpc.subscriptionsList, { caller, tenant_id: tenantId })).results[0], 'subscription of the tenant', 20_000);
  const newTenant = async (owner: CallerDto, name: string, extra: Record<string, unknown> = {}) => {
    const t = await rpc.call(TenantsRpc.create, { caller: owner, name, ...extra });
    return { tenant: t, subscription: await subscriptionOf(owner, t.id) };
  };
  const addCard = (caller: CallerDto, tenantId: string, number: string, extra: Record<string, unknown> = {}) =>
    rpc.call(BillingRpc.paymentMethodsCreate, { caller, tenant_id: tenantId, card_number: number, exp_month: 12, exp_year: 2035, ...extra });
  const advance = (id: string, days: number) => rpc.call(BillingRpc.testClockAdvance, { caller: admin, subscription_id: id, days });
  const invoices = (caller: CallerDto, query: Record<string, unknown>) => rpc.call(BillingRpc.invoicesList, { caller, ...query });
  /** Provisioning's report that the tenant's current operation finished. */
  const finishOperation = async (tenantId: string, kind: string) => {
    const owner = admin;
    const status = await rpc.call(TenantsRpc.status, { caller: owner, id: tenantId });
    expect(status.operation?.kind).toBe(kind);
    await publishEvent(await env.nats(), env.prefix, { type: EventTypes.ProvisioningSucceeded, tenantId, data: { tenant_id: tenantId, operation_id: status.operation!.id, kind } });
  };
  const activate = async (tenantId: string) => {
    await waitFor(async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.TenantCreated])).find((e) => e.tenant_id === tenantId), 'tenant.created');
    await finishOperation(tenantId, 'provision');
    await waitFor(async () => (await tenantStatus(tenantId)) === 'active', 'tenant active', 20_000);
  };
  const tenantStatus = async (tenantId: string) => (await rpc.call(TenantsRpc.get, { caller: admin, id: tenantId })).status;

  it('tenant.created starts a trial with the seed 004 fields; someone else gets 404; tenant.deleted cancels it', async () => {
    const owner = user();
    const { tenant, subscription: sub } = await newTenant(owner, 'Trial Corp', { plan: 'premium' });
    expect(sub).toMatchObject({
      tenant_id: tenant.id,
      owner_id: owner.actor.id,
      plan: 'premium',
      status: 'trialing',
      billing_cycle: 'monthly',
      max_users: 20,
      user_count: 1,
      subscribed_user_ids: [owner.actor.id],
      has_available_seats: true,
      is_active: true,
      payment_method_id: null,
      currency: 'USD',
      amount: 9_900,
      end_date: null,
    });
    expect(new Date(sub.trial_end!).getTime() - new Date(sub.start_date).getTime()).toBe(14 * DAY_S * 1000);
    expect(sub.renewal_date).toBe(sub.trial_end);
    const created = await waitFor(async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.SubscriptionCreated])).find((e) => e.tenant_id === tenant.id), 'subscription.created');
    expect(created.data).toMatchObject({ subscription_id: sub.id, plan: 'premium', status: 'trialing', owner_id: owner.actor.id });

    const stranger = user();
    for (const call of [
      rpc.call(BillingRpc.subscriptionsGet, { caller: stranger, id: sub.id }),
      rpc.call(BillingRpc.subscriptionsUpdate, { caller: stranger, id: sub.id, plan: 'enterprise' }),
      rpc.call(BillingRpc.seatsAdd, { caller: stranger, id: sub.id, user_id: randomUUID() }),
    ]) {
      const err = await rejection(call);
      expect([err.status, err.code]).toEqual([404, 'SUBSCRIPTION_NOT_FOUND']);
    }
    expect((await rejection(rpc.call(BillingRpc.subscriptionsList, { caller: stranger, tenant_id: tenant.id }))).status).toBe(404);
    expect((await rpc.call(BillingRpc.subscriptionsList, { caller: stranger })).count).toBe(0);
    const exists = await rejection(rpc.call(BillingRpc.subscriptionsCreate, { caller: owner, tenant_id: tenant.id, plan: 'standard' }));
    expect([exists.status, exists.code]).toEqual([409, 'SUBSCRIPTION_EXISTS']);

    await rpc.call(TenantsRpc.delete, { caller: owner, id: tenant.id });
    await finishOperation(tenant.id, 'delete');
    const canceled = await waitFor(async () => {
      const s = await rpc.call(BillingRpc.subscriptionsGet, { caller: admin, id: sub.id });
      return s.status === 'canceled' ? s : null;
    }, 'subscription canceled after tenant.deleted', 20_000);
    expect(canceled).toMatchObject({ is_active: false, renewal_date: null });
    expect(canceled.end_date).not.toBeNull();
  });

  it('a free tenant is active at once and never invoiced', async () => {
    const owner = user();
    const { subscription } = await newTenant(owner, 'Free Corp', { plan: 'free' });
    expect(subscription).toMatchObject({ plan: 'free', status: 'active', amount: 0, trial_end: null });
    const after = await advance(subscription.id, 40);
    expect(after.status).toBe('active');
    expect(new Date(after.current_period_start).getTime()).toBeGreaterThan(new Date(subscription.current_period_start).getTime());
    expect((await invoices(owner, { tenant_id: subscription.tenant_id })).count).toBe(0);
  });

  it('seats: adding beyond max_users is SEAT_LIMIT_REACHED; raising max_users makes room', async () => {
    const owner = user();
    const { subscription } = await newTenant(owner, 'Seat Corp', { plan: 'standard' });
    let sub = subscription;
    for (let i = 1; i < 5; i++) sub = await rpc.call(BillingRpc.seatsAdd, { caller: owner, id: sub.id, user_id: randomUUID() });
    expect(sub).toMatchObject({ user_count: 5, max_users: 5, has_available_seats: false });
    const full = await rejection(rpc.call(BillingRpc.seatsAdd, { caller: owner, id: sub.id, user_id: randomUUID() }));
    expect([full.status, full.code]).toEqual([409, 'SEAT_LIMIT_REACHED']);
    const lowered = await rejection(rpc.call(BillingRpc.subscriptionsUpdate, { caller: owner, id: sub.id, max_users: 3 }));
    expect([lowered.status, lowered.code]).toEqual([400, 'VALIDATION_FAILED']);
    sub = await rpc.call(BillingRpc.subscriptionsUpdate, { caller: owner, id: sub.id, max_users: 6 });
    expect(sub).toMatchObject({ max_users: 6, amount: 3_400, has_available_seats: true });
    sub = await rpc.call(BillingRpc.seatsAdd, { caller: owner, id: sub.id, user_id: randomUUID() });
    expect(sub.user_count).toBe(6);
    const bad = await rejection(rpc.call(BillingRpc.seatsAdd, { caller: owner, id: sub.id, user_id: 'not-a-uuid' }));
    expect([bad.status, bad.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('cards are tokenised (brand, last4, expiry only), one default per tenant; bad cards are clear problems', async () => {
    const owner = user();
    const { tenant } = await newTenant(owner, 'Card Corp');
    const first = await addCard(owner, tenant.id, '4242424242424242');
    expect(first).toMatchObject({ brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2035, is_default: true, provider: 'sandbox' });
    expect(JSON.stringify(first)).not.toContain('4242424242424242');
    const second = await addCard(owner, tenant.id, '5555555555554444', { set_default: true });
    const list = await rpc.call(BillingRpc.paymentMethodsList, { caller: owner, tenant_id: tenant.id });
    expect(list.results.map((m) => [m.last4, m.is_default])).toEqual([
      ['4242', false],
      ['4444', true],
    ]);
    const c = await env.pg();
    try {
      const dump = await c.query(`SELECT row_to_json(p)::text AS j FROM billing.payment_methods p WHERE tenant_id = $1`, [tenant.id]);
      for (const row of dump.rows) expect(row.j).not.toMatch(/4242424242424242|5555555555554444/);
    } finally {
      await c.end();
    }
    const luhn = await rejection(addCard(owner, tenant.id, '4242424242424241'));
    expect([luhn.status, luhn.code, (luhn.extensions as { decline_code: string }).decline_code]).toEqual([402, 'BILLING_ERROR', 'invalid_number']);
    const expired = await rejection(addCard(owner, tenant.id, '4242424242424242', { exp_year: 2001 }));
    expect([expired.status, (expired.extensions as { decline_code: string }).decline_code]).toEqual([402, 'expired_card']);
    const junk = await rejection(addCard(owner, tenant.id, '42abc'));
    expect([junk.status, junk.code]).toEqual([400, 'VALIDATION_FAILED']);
    const foreign = await rejection(addCard(user(), tenant.id, '4242424242424242'));
    expect(foreign.status).toBe(404);
    // Someone else's card cannot be attached to a subscription.
    const other = await newTenant(user(), 'Other Card Corp');
    const err = await rejection(rpc.call(BillingRpc.subscriptionsUpdate, { caller: admin, id: other.subscription.id, payment_method_id: second.id }));
    expect([err.status, err.code]).toEqual([404, 'PAYMENT_METHOD_NOT_FOUND']);
    await rpc.call(BillingRpc.paymentMethodsDelete, { caller: owner, id: second.id });
    const left = await rpc.call(BillingRpc.paymentMethodsList, { caller: owner, tenant_id: tenant.id });
    expect(left.results.map((m) => [m.last4, m.is_default])).toEqual([['4242', true]]);
  });

  it('trial end with a card → a paid invoice with a sequential number and a readable PDF; a declining card → past_due → unpaid → suspended → paid → resumed', async () => {
    const owner = user();
    const { tenant, subscription } = await newTenant(owner, 'Dunning Corp', { plan: 'standard', billing_address: '1 Main Street, 10115 Berlin' });
    // The tenant is live first (provisioning reported), so it can be suspended later.
    await activate(tenant.id);
    await rpc.call(BillingRpc.subscriptionsUpdate, { caller: owner, id: subscription.id, billing_country: 'DE' });
    await addCard(owner, tenant.id, '4242424242424242');

    let sub = await advance(subscription.id, 15);
    expect(sub.status).toBe('active');
    const paid = (await invoices(owner, { tenant_id: tenant.id })).results;
    expect(paid).toHaveLength(1);
    expect(paid[0]).toMatchObject({ status: 'paid', subtotal: 2_900, tax_rate_percent: 19, tax: 551, total: 3_451, amount_due: 0, kind: 'period', plan: 'standard' });
    expect(paid[0]!.number).toMatch(/^INV-\d{4}-\d{6}$/);
    expect(paid[0]!.buyer).toMatchObject({ name: 'Dunning Corp', billing_address: '1 Main Street, 10115 Berlin', country: 'DE' });

    const pdf = await rpc.call(BillingRpc.invoicesPdf, { caller: owner, id: paid[0]!.id });
    const bytes = Buffer.from(pdf.content_base64, 'base64');
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(path.join(tmpdir(), 'billing-pdf-'));
    try {
      writeFileSync(path.join(dir, 'invoice.pdf'), bytes);
      execFileSync('pdftotext', ['-layout', path.join(dir, 'invoice.pdf'), path.join(dir, 'invoice.txt')]);
      const text = readFileSync(path.join(dir, 'invoice.txt'), 'utf8');
      for (const expected of [paid[0]!.number, 'Dunning Corp', '1 Main Street', 'SaaS Control Plane Ltd.', 'Standard plan', '$29.00', '$5.51', '$34.51', 'Tax (19.00 %, DE)']) expect(text).toContain(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect((await rejection(rpc.call(BillingRpc.invoicesPdf, { caller: user(), id: paid[0]!.id }))).code).toBe('INVOICE_NOT_FOUND');

    // A declining card as the default: the next renewal fails.
    await addCard(owner, tenant.id, '4000000000000002', { set_default: true });
    sub = await advance(subscription.id, 30);
    expect(sub).toMatchObject({ status: 'past_due', dunning: { attempts: 0 } });
    const failed = await waitFor(async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.PaymentFailed])).find((e) => e.tenant_id === tenant.id), 'payment.failed');
    expect(failed.data).toMatchObject({ decline_code: 'card_declined', reason: 'Your card was declined.', amount: 3_451 });
    await waitFor(async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.SubscriptionPastDue])).find((e) => e.tenant_id === tenant.id), 'subscription.past_due');
    sub = await advance(subscription.id, 3);
    expect(sub).toMatchObject({ status: 'past_due', dunning: { attempts: 2 } });
    sub = await advance(subscription.id, 5);
    expect(sub.status).toBe('unpaid');
    // One invoice per period, whatever the retries: 2 in all, the second given up on.
    expect((await invoices(owner, { tenant_id: tenant.id })).results.map((i) => [i.status, i.amount_due])).toEqual([
      ['uncollectible', 3_451],
      ['paid', 0],
    ]);
    // Suspended through the tenants saga with reason billing.
    await finishOperation(tenant.id, 'suspend');
    await waitFor(async () => (await tenantStatus(tenant.id)) === 'suspended', 'tenant suspended', 20_000);
    const suspended = await rpc.call(TenantsRpc.status, { caller: admin, id: tenant.id });
    expect(suspended.history.at(-1)).toMatchObject({ to: 'suspended', reason: 'billing' });

    // A working card pays the open invoice at once and the tenant is resumed.
    await addCard(owner, tenant.id, '4242424242424242', { set_default: true });
    sub = await rpc.call(BillingRpc.subscriptionsGet, { caller: owner, id: subscription.id });
    expect(sub).toMatchObject({ status: 'active', dunning: null });
    expect((await invoices(owner, { tenant_id: tenant.id })).results.map((i) => i.status)).toEqual(['paid', 'paid']);
    const c = await env.pg();
    try {
      const history = await c.query(`SELECT from_status, to_status, reason FROM billing.subscription_transitions WHERE subscription_id = $1 ORDER BY at, to_status = 'active'`, [subscription.id]);
      expect(history.rows.map((r) => [r.from_status, r.to_status])).toEqual([
        [null, 'trialing'],
        ['trialing', 'active'],
        ['active', 'past_due'],
        ['past_due', 'unpaid'],
        ['unpaid', 'active'],
      ]);
      expect(history.rows[2].reason).toBe('Your card was declined.');
      expect(history.rows[3].reason).toBe('dunning exhausted after 4 retries');
    } finally {
      await c.end();
    }
    await finishOperation(tenant.id, 'resume');
    await waitFor(async () => (await tenantStatus(tenant.id)) === 'active', 'tenant resumed', 20_000);

    const revenue = await rpc.call(BillingRpc.revenue, { caller: admin });
    expect(revenue.total_revenue).toBeGreaterThanOrEqual(5_800);
    expect(revenue.by_plan.standard!.revenue).toBeGreaterThanOrEqual(5_800);
    expect((await rejection(rpc.call(BillingRpc.revenue, { caller: owner }))).status).toBe(403);
  });

  it('an upgrade is previewed to the cent, confirmed once (a stale preview is refused), invoiced with credit and charge lines; a declined upgrade changes nothing', async () => {
    const owner = user();
    const { tenant, subscription } = await newTenant(owner, 'Upgrade Corp', { plan: 'standard' });
    await activate(tenant.id);
    await addCard(owner, tenant.id, '4242424242424242');
    await advance(subscription.id, 14); // trial over: first monthly period, paid
    const preview = await rpc.call(BillingRpc.subscriptionsPreview, { caller: owner, id: subscription.id, plan: 'premium', max_users: 20 });
    expect(preview).toMatchObject({ effective: 'now', billing: 'invoice_now', from: { plan: 'standard', amount: 2_900 }, to: { plan: 'premium', amount: 9_900 } });
    expect(preview.charge - preview.credit).toBe(preview.amount_due);
    expect(preview.credit).toBeGreaterThan(2_800); // almost the whole month is unused
    const upgraded = await rpc.call(BillingRpc.subscriptionsUpdate, { caller: owner, id: subscription.id, preview_id: preview.preview_id });
    expect(upgraded).toMatchObject({ plan: 'premium', max_users: 20, status: 'active' });
    const proration = (await invoices(owner, { tenant_id: tenant.id })).results.find((i) => i.kind === 'proration')!;
    expect(proration).toMatchObject({ status: 'paid', total: preview.amount_due });
    expect(proration.lines.map((l) => [l.kind, l.amount])).toEqual([
      ['proration_credit', -preview.credit],
      ['proration_charge', preview.charge],
    ]);
    const stale = await rejection(rpc.call(BillingRpc.subscriptionsUpdate, { caller: owner, id: subscription.id, plan: 'premium', max_users: 20, preview_id: preview.preview_id }));
    expect([stale.status, stale.code]).toEqual([409, 'PREVIEW_STALE']);
    // The plan went to the tenants service (provisioning resizes from tenant.updated).
    await waitFor(async () => (await rpc.call(TenantsRpc.get, { caller: admin, id: tenant.id })).plan === 'premium', 'tenant plan premium', 20_000);

    // A declining card: the upgrade is refused with the decline reason and nothing changes.
    await addCard(owner, tenant.id, '4000000000000002', { set_default: true });
    const before = (await invoices(owner, { tenant_id: tenant.id })).count;
    const declined = await rejection(rpc.call(BillingRpc.subscriptionsUpdate, { caller: owner, id: subscription.id, plan: 'enterprise', max_users: 100 }));
    expect([declined.status, declined.code, (declined.extensions as { decline_code: string }).decline_code]).toEqual([402, 'BILLING_ERROR', 'card_declined']);
    expect(declined.message).toContain('Your card was declined.');
    expect(await rpc.call(BillingRpc.subscriptionsGet, { caller: owner, id: subscription.id })).toMatchObject({ plan: 'premium', max_users: 20 });
    expect((await invoices(owner, { tenant_id: tenant.id })).count).toBe(before);

    // A downgrade waits for the period end.
    const down = await rpc.call(BillingRpc.subscriptionsUpdate, { caller: owner, id: subscription.id, plan: 'standard', max_users: 5 });
    expect(down).toMatchObject({ plan: 'premium', pending_change: { plan: 'standard', max_users: 5, billing_cycle: 'monthly' } });
    const unknownPlan = await rejection(rpc.callRaw(BillingRpc.subscriptionsPreview, { caller: owner, id: subscription.id, plan: 'platinum' }));
    expect([unknownPlan.status, unknownPlan.code]).toEqual([400, 'VALIDATION_FAILED']);
    const negative = await rejection(rpc.call(BillingRpc.subscriptionsPreview, { caller: owner, id: subscription.id, max_users: -1 }));
    expect(negative.status).toBe(400);
  });

  it("Stripe's payment_intent webhooks (from the webhooks service's integration) settle a payment that needed authentication, exactly once", async () => {
    const owner = user();
    const { tenant, subscription } = await newTenant(owner, 'Three DS Corp', { plan: 'standard' });
    await addCard(owner, tenant.id, '4000002500003155'); // needs authentication: off-session charges fail
    let sub = await advance(subscription.id, 14); // the trial's end, before the first dunning retry
    expect(sub.status).toBe('past_due');
    const c = await env.pg();
    try {
      const payments = (await c.query(`SELECT p.id, p.invoice_id, p.decline_code FROM billing.payments p WHERE p.tenant_id = $1`, [tenant.id])).rows;
      expect(payments).toHaveLength(1);
      const payment = payments[0];
      expect(payment.decline_code).toBe('authentication_required');
      // As billing records a charge made through Stripe (the provider itself is tested against the fake Stripe server).
      const intentId = `pi_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
      await c.query(`UPDATE billing.payments SET provider = 'stripe', provider_payment_id = $2 WHERE id = $1`, [payment.id, intentId]);
      const nc = await env.nats();
      const stripeEvent = (id: string, type: string, extra: Record<string, unknown> = {}) => ({
        type: EventTypes.IntegrationEventReceived,
        data: {
          integration_event_id: randomUUID(),
          provider_id: randomUUID(),
          provider: 'stripe',
          event_id: id,
          type,
          payload: { id, object: 'event', type, data: { object: { id: intentId, object: 'payment_intent', status: type === 'payment_intent.succeeded' ? 'succeeded' : 'requires_payment_method', ...extra } } },
        },
      });
      const settled = async () => (await rpc.call(BillingRpc.subscriptionsGet, { caller: owner, id: subscription.id })).status === 'active';

      // Another integration cannot speak for Stripe.
      const forged = stripeEvent(`evt_${randomUUID()}`, 'payment_intent.succeeded');
      await publishEvent(nc, env.prefix, { ...forged, data: { ...forged.data, provider: 'not-stripe' } });
      // A failure with Stripe's reason is recorded on the unsettled payment (once, however often it arrives).
      const failed = stripeEvent(`evt_${randomUUID()}`, 'payment_intent.payment_failed', { last_payment_error: { code: 'card_declined', decline_code: 'do_not_honor', message: 'The bank refused.' } });
      await publishEvent(nc, env.prefix, failed);
      await publishEvent(nc, env.prefix, failed);
      await waitFor(async () => (await c.query(`SELECT decline_code FROM billing.payments WHERE id = $1`, [payment.id])).rows[0].decline_code === 'do_not_honor', 'failure recorded', 20_000);

      // The buyer authenticated at Stripe: the webhook settles the payment, the invoice and the subscription.
      const succeeded = stripeEvent(`evt_${randomUUID()}`, 'payment_intent.succeeded');
      await publishEvent(nc, env.prefix, succeeded);
      await publishEvent(nc, env.prefix, succeeded); // redelivered (a new envelope, the same Stripe event)
      await waitFor(settled, 'subscription active after the webhook', 20_000);
      sub = await rpc.call(BillingRpc.subscriptionsGet, { caller: owner, id: subscription.id });
      expect(sub).toMatchObject({ status: 'active', dunning: null });
      expect((await invoices(owner, { tenant_id: tenant.id })).results.map((i) => [i.status, i.amount_due])).toEqual([['paid', 0]]);
      // A replay under a new event id finds the payment settled and changes nothing.
      await publishEvent(nc, env.prefix, stripeEvent(`evt_${randomUUID()}`, 'payment_intent.succeeded'));
      await waitFor(async () => (await c.query(`SELECT count(*)::int AS n FROM billing.provider_events WHERE outcome = 'already_known'`)).rows[0].n >= 1, 'replay seen', 20_000);
      const rows = (await c.query(`SELECT type, outcome FROM billing.provider_events ORDER BY applied_at`)).rows;
      expect(rows.map((r) => [r.type, r.outcome])).toEqual([
        ['payment_intent.payment_failed', 'failure_recorded'],
        ['payment_intent.succeeded', 'settled'],
        ['payment_intent.succeeded', 'already_known'],
      ]);
      expect((await c.query(`SELECT status FROM billing.payments WHERE id = $1`, [payment.id])).rows[0].status).toBe('succeeded');
      const events = (await readEvents(nc, env.prefix)).filter((e) => e.tenant_id === tenant.id);
      expect(events.filter((e) => e.type === EventTypes.PaymentSucceeded).map((e) => (e.data as { payment_id: string }).payment_id)).toEqual([payment.id]);
      expect(events.filter((e) => e.type === EventTypes.InvoicePaid)).toHaveLength(1);
      expect(events.filter((e) => e.type === EventTypes.PaymentFailed).map((e) => (e.data as { decline_code: string }).decline_code)).toEqual(['authentication_required', 'do_not_honor']);
    } finally {
      await c.end();
    }
  }, 60_000);

  it('two renewal runs at once issue exactly one invoice per period with gapless numbers, drafted then finalized, every step an event in order', async () => {
    const c = await env.pg();
    const n = 30;
    const tenantIds: string[] = Array.from({ length: n }, () => randomUUID());
    // Every fifth card declines: those renewals end past_due inside the same batch.
    const declining = new Set(tenantIds.filter((_, i) => i % 5 === 0));
    try {
      const nc = await env.nats();
      for (const id of tenantIds) {
        await publishEvent(nc, env.prefix, { type: EventTypes.TenantCreated, tenantId: id, data: { tenant_id: id, name: `Bulk ${id.slice(0, 6)}`, plan: 'standard', owner_id: randomUUID() } });
      }
      await waitFor(async () => (await c.query(`SELECT count(*)::int AS n FROM billing.subscriptions WHERE tenant_id = ANY($1)`, [tenantIds])).rows[0].n === n, 'subscriptions created', 30_000);
      for (const id of tenantIds) {
        await c.query(
          `INSERT INTO billing.payment_methods (id, tenant_id, provider, token, brand, last4, exp_month, exp_year, is_default, created_at)
           VALUES ($1, $2, 'sandbox', $3, 'visa', '4242', 12, 2035, true, now())`,
          [randomUUID(), id, declining.has(id) ? 'card_sbx_decline_bulk' : 'card_sbx_ok_bulk'],
        );
      }
      // Every trial is over.
      await c.query(`UPDATE billing.subscriptions SET current_period_end = now() - interval '1 minute', trial_end = now() - interval '1 minute' WHERE tenant_id = ANY($1)`, [tenantIds]);
      const before = (await c.query(`SELECT coalesce(max(last), 0)::int AS last FROM billing.invoice_counters`)).rows[0].last as number;
      const renewals = svc.app.get(RenewalService);
      const [a, b] = await Promise.all([renewals.renewDue(7), renewals.renewDue(7)]);
      expect(a + b).toBeGreaterThanOrEqual(n);
      const rows = (
        await c.query(
          `SELECT i.id, i.number, i.status, i.subscription_id, i.finalized_at, i.issued_at, s.tenant_id FROM billing.invoices i JOIN billing.subscriptions s ON s.id = i.subscription_id WHERE s.tenant_id = ANY($1)`,
          [tenantIds],
        )
      ).rows;
      expect(rows).toHaveLength(n);
      expect(new Set(rows.map((r) => r.subscription_id)).size).toBe(n);
      const seqs = rows.map((r) => Number(String(r.number).slice(-6))).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: n }, (_, i) => before + i + 1));
      for (const r of rows) {
        expect(r.status).toBe(declining.has(r.tenant_id) ? 'open' : 'paid');
        expect(r.finalized_at).toEqual(r.issued_at);
      }
      const statuses = (await c.query(`SELECT status, count(*)::int AS n FROM billing.subscriptions WHERE tenant_id = ANY($1) GROUP BY status ORDER BY status`, [tenantIds])).rows;
      expect(statuses).toEqual([
        { status: 'active', n: n - declining.size },
        { status: 'past_due', n: declining.size },
      ]);

      // On NATS, per tenant and in order: the invoice (numbered, open), the payment, then the subscription.
      const types = [EventTypes.InvoiceCreated, EventTypes.InvoicePaid, EventTypes.PaymentSucceeded, EventTypes.PaymentFailed, EventTypes.SubscriptionUpdated, EventTypes.SubscriptionPastDue];
      const ours = (e: { tenant_id: string | null; type: string }) => tenantIds.includes(e.tenant_id!) && types.includes(e.type as never);
      const expectedFor = (id: string) =>
        declining.has(id)
          ? [EventTypes.InvoiceCreated, EventTypes.PaymentFailed, EventTypes.SubscriptionUpdated, EventTypes.SubscriptionPastDue]
          : [EventTypes.InvoiceCreated, EventTypes.PaymentSucceeded, EventTypes.InvoicePaid, EventTypes.SubscriptionUpdated];
      const events = await waitFor(
        async () => {
          const all = (await readEvents(nc, env.prefix)).filter(ours);
          // The subscription.updated events of the trials' creation are not counted: only the renewal's.
          const renewal = all.filter((e) => e.type !== EventTypes.SubscriptionUpdated || (e.data as { changed_fields?: string[] }).changed_fields?.includes('current_period_end'));
          return renewal.length === tenantIds.reduce((sum, id) => sum + expectedFor(id).length, 0) ? renewal : null;
        },
        'the renewal events',
        30_000,
      );
      for (const id of tenantIds) {
        const mine = events.filter((e) => e.tenant_id === id);
        expect(mine.map((e) => e.type)).toEqual(expectedFor(id));
        const invoice = rows.find((r) => r.tenant_id === id)!;
        expect(mine[0]!.data).toMatchObject({ invoice_id: invoice.id, number: invoice.number, status: 'open' });
      }

      // Running again finds nothing due; the database refuses a second invoice for the same period, and a numberless open one.
      expect(await renewals.renewDue()).toBe(0);
      const dup = await c
        .query(
          `INSERT INTO billing.invoices SELECT gen_random_uuid(), 'INV-DUP-1', tenant_id, subscription_id, kind, status, currency, lines, subtotal, tax_rate_bp, tax, total, amount_paid, period_start, period_end, issued_at, due_date, paid_at, voided_at, plan, plan_version, buyer, seller, updated_at FROM billing.invoices WHERE subscription_id = $1`,
          [rows[0]!.subscription_id],
        )
        .catch((e: Error) => e);
      expect(String(dup)).toMatch(/invoices_subscription_period_key/);
      const numberless = await c.query(`UPDATE billing.invoices SET number = NULL WHERE id = $1`, [rows[0]!.id]).catch((e: Error) => e);
      expect(String(numberless)).toMatch(/invoices_number_check/);
    } finally {
      await c.end();
    }
  }, 90_000);
  it('a renewal batch whose write fails is renewed one by one instead: same invoices, numbers and states', async () => {
    const c = await env.pg();
    const tenantIds: string[] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const lifecycle = svc.app.get(SubscriptionLifecycle);
    const realSaveMany = lifecycle.saveMany.bind(lifecycle);
    try {
      const nc = await env.nats();
      for (const id of tenantIds) await publishEvent(nc, env.prefix, { type: EventTypes.TenantCreated, tenantId: id, data: { tenant_id: id, name: 'Fallback Co', plan: 'standard', owner_id: randomUUID() } });
      await waitFor(async () => (await c.query(`SELECT count(*)::int AS n FROM billing.subscriptions WHERE tenant_id = ANY($1)`, [tenantIds])).rows[0].n === tenantIds.length, 'subscriptions', 30_000);
      for (const id of tenantIds) {
        await c.query(
          `INSERT INTO billing.payment_methods (id, tenant_id, provider, token, brand, last4, exp_month, exp_year, is_default, created_at)
           VALUES ($1, $2, 'sandbox', 'card_sbx_ok_fallback', 'visa', '4242', 12, 2035, true, now())`,
          [randomUUID(), id],
        );
      }
      await c.query(`UPDATE billing.subscriptions SET current_period_end = now() - interval '1 minute', trial_end = now() - interval '1 minute' WHERE tenant_id = ANY($1)`, [tenantIds]);
      const before = (await c.query(`SELECT coalesce(max(last), 0)::int AS last FROM billing.invoice_counters`)).rows[0].last as number;
      let failures = 0;
      lifecycle.saveMany = async (...args) => {
        if (failures++ === 0) throw new Error('deadlock detected (simulated)');
        return realSaveMany(...args);
      };
      expect(await svc.app.get(RenewalService).renewDue()).toBe(tenantIds.length);
      expect(failures).toBe(1);
      const rows = (await c.query(`SELECT i.number, i.status FROM billing.invoices i JOIN billing.subscriptions s ON s.id = i.subscription_id WHERE s.tenant_id = ANY($1) ORDER BY i.number`, [tenantIds])).rows;
      expect(rows.map((r) => r.status)).toEqual(['paid', 'paid', 'paid', 'paid']);
      // The failed batch gave its numbers back: the one-by-one renewals used them.
      expect(rows.map((r) => Number(String(r.number).slice(-6)))).toEqual([before + 1, before + 2, before + 3, before + 4]);
      expect((await c.query(`SELECT count(*)::int AS n FROM billing.subscriptions WHERE tenant_id = ANY($1) AND status = 'active'`, [tenantIds])).rows[0].n).toBe(tenantIds.length);
      expect((await c.query(`SELECT count(*)::int AS n FROM billing.payments WHERE tenant_id = ANY($1)`, [tenantIds])).rows[0].n).toBe(tenantIds.length);
    } finally {
      lifecycle.saveMany = realSaveMany;
      await c.end();
    }
  }, 60_000);

  it('a renewal that dies mid-charge leaves no invoice and no used number; the next run issues exactly one', async () => {
    const c = await env.pg();
    const tenantIds = [randomUUID(), randomUUID(), randomUUID()];
    const provider = svc.app.get(PaymentProvider);
    const realCharge = provider.charge.bind(provider);
    try {
      const nc = await env.nats();
      for (const id of tenantIds) await publishEvent(nc, env.prefix, { type: EventTypes.TenantCreated, tenantId: id, data: { tenant_id: id, name: 'Crash Co', plan: 'premium', owner_id: randomUUID() } });
      await waitFor(async () => (await c.query(`SELECT count(*)::int AS n FROM billing.subscriptions WHERE tenant_id = ANY($1)`, [tenantIds])).rows[0].n === 3, 'subscriptions', 30_000);
      for (const [i, id] of tenantIds.entries()) {
        await c.query(
          `INSERT INTO billing.payment_methods (id, tenant_id, provider, token, brand, last4, exp_month, exp_year, is_default, created_at)
           VALUES ($1, $2, 'sandbox', $3, 'visa', '4242', 12, 2035, true, now())`,
          [randomUUID(), id, i === 1 ? 'card_sbx_ok_crash' : 'card_sbx_ok_fine'],
        );
      }
      await c.query(`UPDATE billing.subscriptions SET current_period_end = now() - interval '1 minute' WHERE tenant_id = ANY($1)`, [tenantIds]);
      // The provider's answer is lost for one card (a crash or timeout mid-charge): its transaction rolls back.
      let crashes = 0;
      const crashKeys: string[] = [];
      provider.charge = async (req) => {
        if (req.token === 'card_sbx_ok_crash') crashKeys.push(req.idempotencyKey);
        if (req.token === 'card_sbx_ok_crash' && crashes++ === 0) throw new Error('connection reset mid-charge');
        return realCharge(req);
      };
      const before = (await c.query(`SELECT coalesce(max(last), 0)::int AS last FROM billing.invoice_counters`)).rows[0].last as number;
      const renewals = svc.app.get(RenewalService);
      expect(await renewals.renewDue()).toBe(2);
      const count = async () =>
        (await c.query(`SELECT i.number FROM billing.invoices i JOIN billing.subscriptions s ON s.id = i.subscription_id WHERE s.tenant_id = ANY($1) ORDER BY i.number`, [tenantIds])).rows.map((r) => r.number as string);
      expect(await count()).toHaveLength(2);
      expect(await renewals.renewDue()).toBe(1);
      const numbers = await count();
      expect(numbers).toHaveLength(3);
      expect(numbers.map((n) => Number(n.slice(-6)))).toEqual([before + 1, before + 2, before + 3]);
      // The retried charge used the same idempotency key as the lost one.
      const keys = (await c.query(`SELECT p.idempotency_key FROM billing.payments p JOIN billing.invoices i ON i.id = p.invoice_id JOIN billing.subscriptions s ON s.id = i.subscription_id WHERE s.tenant_id = $1`, [tenantIds[1]])).rows;
      expect(keys).toHaveLength(1);
      expect(keys[0].idempotency_key).toMatch(/^invoice:[0-9a-f-]+:attempt:1$/);
      expect(crashKeys).toEqual([keys[0].idempotency_key, keys[0].idempotency_key]);
    } finally {
      provider.charge = realCharge;
      await c.end();
    }
  }, 60_000);
});
