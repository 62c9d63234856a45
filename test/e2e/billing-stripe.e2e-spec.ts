import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { FakeStripeServer, httpRequest, TestPlatform, waitFor, type HttpResponse } from '@saas/testing';

/**
 * Billing on Stripe (the official SDK against a fake Stripe API) with a plan without a trial,
 * through the gateway with the real identity, tenants, provisioning, billing and webhooks services:
 * the sign-up's first charge fails (no card, then a card that needs authentication), so the tenant
 * is held in `error` with BILLING_ERROR; Stripe's `payment_intent.succeeded` webhook, received on
 * the public integrations route and checked by the official library, pays the invoice once, and the
 * tenant is provisioned.
 */
const ADMIN = { email: 'stripe-ops@example.com', password: 'Ops-Password-Strong-42' };
const PASSWORD = 'Stripe-Owner-Password-42';
const WEBHOOK_SECRET = `whsec_${randomBytes(16).toString('hex')}`;

describe('billing on Stripe, webhooks through the gateway (e2e)', () => {
  const stripe = new FakeStripeServer();
  let platform: TestPlatform;
  let runId: string;
  let adminToken: string;
  let ownerToken: string;
  /** The webhook provider billing is told to expect Stripe's events from. */
  const provider = `stripe-${randomBytes(3).toString('hex')}`;

  const call = (method: string, url: string, token?: string, body?: object): Promise<HttpResponse> => platform.call(method, url, token, body);

  beforeAll(async () => {
    const stripeUrl = await stripe.start();
    platform = await TestPlatform.start('billing_stripe_e2e', {
      services: ['identity', 'tenants', 'provisioning', 'billing', 'webhooks'],
      admin: ADMIN,
      serviceEnv: {
        billing: {
          BILLING_PAYMENT_PROVIDER: 'stripe',
          STRIPE_SECRET_KEY: stripe.secretKey,
          STRIPE_API_BASE: stripeUrl,
          BILLING_TRIAL_DAYS: 'standard:0',
          BILLING_STRIPE_WEBHOOK_PROVIDER: provider,
        },
      },
    });
    runId = platform.runId;
    adminToken = await platform.adminToken();
    ownerToken = (await platform.user('stripe-owner', { password: PASSWORD })).token;
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await stripe.stop();
  }, 120_000);

  it('first payment fails → tenant error BILLING_ERROR; a signed payment_intent.succeeded pays it once → tenant provisioned', async () => {
    const created = await call('POST', '/api/v1/integrations/providers', adminToken, { name: provider, secret_key: WEBHOOK_SECRET, signature_scheme: 'stripe' });
    expect(created.statusCode).toBe(201);

    const create = await call('POST', '/api/v1/tenants', ownerToken, { name: 'Stripe Inc', subdomain: `stripe-${runId}`, plan: 'standard' });
    expect(create.statusCode).toBe(202);
    const tenant = create.json() as { id: string };
    const status = async () => (await call('GET', `/api/v1/tenants/${tenant.id}/status`, ownerToken)).json() as { status: string; error: string | null; error_code: string | null };
    const held = await waitFor(async () => {
      const s = await status();
      return s.status === 'error' ? s : null;
    }, 'tenant in error', 30_000, 200);
    expect(held).toMatchObject({ error_code: 'BILLING_ERROR', error: 'The tenant has no payment method.' });

    // A card that needs the buyer's authentication: Stripe refuses the off-session charge.
    const card = await call('POST', '/api/v1/billing/payment-methods', ownerToken, { tenant_id: tenant.id, card_number: '4000002500003155', exp_month: 12, exp_year: 2035 });
    expect(card.statusCode).toBe(201);
    expect(card.json().provider).toBe('stripe');
    await waitFor(async () => (await status()).error?.includes('requires authentication') ?? false, 'the authentication decline as the reason', 30_000, 200);
    expect((await status()).error_code).toBe('BILLING_ERROR');
    const intent = stripe.intents.at(-1)!;
    expect(intent).toMatchObject({ amount: 2_900, currency: 'usd', status: 'requires_payment_method' });

    // The buyer authenticates; Stripe sends payment_intent.succeeded, signed with the endpoint secret.
    const event = JSON.stringify({ id: `evt_${randomBytes(8).toString('hex')}`, object: 'event', type: 'payment_intent.succeeded', data: { object: { ...intent, status: 'succeeded' } } });
    const post = (body: string, signature: string) =>
      httpRequest(platform.baseUrl, { method: 'POST', url: `/api/v1/integrations/webhooks/${provider}`, headers: { 'content-type': 'application/json', 'stripe-signature': signature }, payload: body });
    const forged = await post(event, Stripe.webhooks.generateTestHeaderString({ payload: event, secret: 'whsec_not_the_secret' }));
    expect([forged.statusCode, forged.json().code]).toEqual([401, 'INVALID_SIGNATURE']);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: event, secret: WEBHOOK_SECRET });
    const first = await post(event, signature);
    expect([first.statusCode, first.json().duplicate]).toEqual([200, false]);
    const again = await post(event, signature); // Stripe retries deliveries
    expect([again.statusCode, again.json().duplicate]).toEqual([200, true]);

    await waitFor(async () => (await status()).status === 'active', 'tenant provisioned after the payment', 90_000, 200);
    expect(await status()).toMatchObject({ error: null, error_code: null });
    const sub = (await call('GET', `/api/v1/tenants/${tenant.id}/subscriptions`, ownerToken)).json().results[0];
    expect(sub).toMatchObject({ plan: 'standard', status: 'active', trial_end: null });
    const invoices = (await call('GET', `/api/v1/billing/invoices?tenant_id=${tenant.id}`, ownerToken)).json();
    expect(invoices).toMatchObject({ count: 1, results: [{ status: 'paid', total: 2_900, amount_due: 0 }] });
    // Charged by Stripe once: one PaymentIntent, settled by the webhook, not charged again.
    expect(stripe.intents).toHaveLength(1);
    const stats = (await call('GET', '/api/v1/admin/stats', adminToken)).json();
    expect(stats.total_revenue).toBe(2_900);
  }, 240_000);
});
