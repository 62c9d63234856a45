import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeStripeServer } from '@saas/testing';
import { CardRejected } from './payment-provider.js';
import { StripePaymentProvider } from './stripe-payment-provider.js';

const card = (number: string) => ({ number, exp_month: 12, exp_year: 2035 });

describe('Stripe payment provider (official SDK against a fake Stripe REST server)', () => {
  const fake = new FakeStripeServer();
  let provider: StripePaymentProvider;
  let apiBase: string;

  beforeAll(async () => {
    apiBase = await fake.start();
    provider = new StripePaymentProvider({ secretKey: fake.secretKey, apiBase });
  });
  afterAll(() => fake.stop());

  it('tokenises a card into a PaymentMethod: only its id, brand, last4 and expiry come back', async () => {
    const t = await provider.tokenise(card('4242424242424242'));
    expect(t).toMatchObject({ brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2035 });
    expect(t.token).toMatch(/^pm_/);
  });

  it('charges with the idempotency key: a retried request replays the first PaymentIntent and charges once', async () => {
    const t = await provider.tokenise(card('4242424242424242'));
    const req = { token: t.token, amount: 2_900, currency: 'USD' as const, idempotencyKey: 'invoice:abc:attempt:1', description: 'Invoice INV-2026-000001' };
    const first = await provider.charge(req);
    const again = await provider.charge(req);
    expect(first).toMatchObject({ status: 'succeeded' });
    expect(again).toEqual(first);
    expect(fake.intents.filter((i) => i.payment_method === t.token)).toEqual([expect.objectContaining({ amount: 2_900, currency: 'usd', status: 'succeeded' })]);
    expect(fake.requests.filter((r) => r.path === '/v1/payment_intents').every((r) => r.idempotencyKey === 'invoice:abc:attempt:1')).toBe(true);
  });

  it('answers declines and off-session authentication as failed charges with the decline code', async () => {
    const declined = await provider.tokenise(card('4000000000000002'));
    const action = await provider.tokenise(card('4000002500003155'));
    expect(await provider.charge({ token: declined.token, amount: 100, currency: 'EUR', idempotencyKey: 'k-d', description: 'x' })).toMatchObject({
      status: 'failed',
      declineCode: 'generic_decline',
      reason: 'Your card was declined.',
      retryable: true,
    });
    expect(await provider.charge({ token: action.token, amount: 100, currency: 'EUR', idempotencyKey: 'k-a', description: 'x' })).toMatchObject({
      status: 'failed',
      declineCode: 'authentication_required',
      retryable: false,
    });
  });

  it('refuses a bad number at tokenisation as a CardRejected with Stripe’s code', async () => {
    const err = await provider.tokenise(card('4242424242424241')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CardRejected);
    expect(err).toMatchObject({ declineCode: 'incorrect_number' });
  });

  it('throws (outcome unknown) on anything but a card error, e.g. a wrong key', async () => {
    const wrong = new StripePaymentProvider({ secretKey: 'sk_test_wrong', apiBase });
    await expect(wrong.charge({ token: 'pm_x', amount: 1, currency: 'USD', idempotencyKey: 'k-w', description: 'x' })).rejects.toBeDefined();
  });
});
