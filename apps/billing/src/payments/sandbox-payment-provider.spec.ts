import { describe, expect, it } from '@jest/globals';
import { NodeSecureRandom } from '@saas/service-kit';
import { CardRejected } from './payment-provider.js';
import { cardBrand, luhnValid, SandboxPaymentProvider } from './sandbox-payment-provider.js';

const now = new Date('2026-12-01T00:00:00Z');
const card = (number: string) => ({ number, exp_month: 12, exp_year: 2030 });

describe('sandbox payment provider', () => {
  const provider = new SandboxPaymentProvider(new NodeSecureRandom());

  it('tokenises at once: the token never contains the number, only brand/last4/expiry come back', async () => {
    const t = await provider.tokenise(card('4242424242424242'), now);
    expect(t).toMatchObject({ brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030 });
    expect(t.token).not.toContain('424242424242');
  });

  it('charges the success card, declines the decline card and refuses off-session charges of the 3-D Secure card', async () => {
    const ok = await provider.tokenise(card('4242424242424242'), now);
    const declined = await provider.tokenise(card('4000000000000002'), now);
    const action = await provider.tokenise(card('4000002500003155'), now);
    const charge = (token: string, key: string) => provider.charge({ token, amount: 1000, currency: 'USD', idempotencyKey: key, description: 't' });
    expect(await charge(ok.token, 'k1')).toMatchObject({ status: 'succeeded' });
    expect(await charge(declined.token, 'k2')).toMatchObject({ status: 'failed', declineCode: 'card_declined' });
    expect(await charge(action.token, 'k3')).toMatchObject({ status: 'failed', declineCode: 'authentication_required', retryable: false });
  });

  it('answers a repeated idempotency key with the first charge', async () => {
    const ok = await provider.tokenise(card('4242424242424242'), now);
    const first = await provider.charge({ token: ok.token, amount: 500, currency: 'USD', idempotencyKey: 'same', description: 'x' });
    const again = await provider.charge({ token: ok.token, amount: 500, currency: 'USD', idempotencyKey: 'same', description: 'x' });
    expect(again).toEqual(first);
  });

  it('rejects numbers that fail the Luhn check and expired cards', async () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    await expect(provider.tokenise(card('4242424242424241'), now)).rejects.toBeInstanceOf(CardRejected);
    await expect(provider.tokenise({ number: '4242424242424242', exp_month: 11, exp_year: 2026 }, now)).rejects.toMatchObject({ declineCode: 'expired_card' });
    expect(cardBrand('5555555555554444')).toBe('mastercard');
  });
});
