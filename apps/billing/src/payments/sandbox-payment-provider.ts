import { Injectable } from '@nestjs/common';
import { SecureRandom } from '@saas/service-kit';
import { CardRejected, PaymentProvider, type CardInput, type ChargeRequest, type ChargeResult, type TokenisedCard } from './payment-provider.js';

type Behaviour = 'ok' | 'decline' | 'insufficient' | 'action';

/** The well-known test cards and what each does when charged. */
export const SANDBOX_TEST_CARDS: Readonly<Record<string, Behaviour>> = Object.freeze({
  '4242424242424242': 'ok',
  '5555555555554444': 'ok',
  '4000000000000002': 'decline',
  '4000000000009995': 'insufficient',
  '4000002500003155': 'action',
});

const OUTCOMES: Record<Exclude<Behaviour, 'ok'>, { declineCode: string; reason: string }> = {
  decline: { declineCode: 'card_declined', reason: 'Your card was declined.' },
  insufficient: { declineCode: 'insufficient_funds', reason: 'Your card has insufficient funds.' },
  action: { declineCode: 'authentication_required', reason: 'Your card requires authentication (3-D Secure); it cannot be charged off-session.' },
};

export function luhnValid(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export function cardBrand(number: string): string {
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^6(011|5)/.test(number)) return 'discover';
  return 'unknown';
}

/**
 * The embedded provider (`BILLING_PAYMENT_PROVIDER=sandbox`, the default): no network, no account.
 * The token names the test behaviour of the card (the number itself is dropped at once), so its
 * outcomes survive restarts; charges are remembered by idempotency key for the life of the process,
 * and billing's `payments` table (unique key) covers the rest.
 */
@Injectable()
export class SandboxPaymentProvider extends PaymentProvider {
  readonly name = 'sandbox';
  private readonly charges = new Map<string, ChargeResult>();

  constructor(private readonly random: SecureRandom) {
    super();
  }

  async tokenise(card: CardInput, now: Date): Promise<TokenisedCard> {
    if (!luhnValid(card.number)) throw new CardRejected('invalid_number', 'The card number is not valid.');
    const expiresAfter = Date.UTC(card.exp_year, card.exp_month, 1);
    if (expiresAfter <= now.getTime()) throw new CardRejected('expired_card', 'The card has expired.');
    const behaviour = SANDBOX_TEST_CARDS[card.number] ?? 'ok';
    return {
      token: `card_sbx_${behaviour}_${this.random.alphanumeric(16)}`,
      brand: cardBrand(card.number),
      last4: card.number.slice(-4),
      exp_month: card.exp_month,
      exp_year: card.exp_year,
    };
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const seen = this.charges.get(request.idempotencyKey);
    if (seen) return seen;
    const behaviour = (/^card_sbx_([a-z]+)_/.exec(request.token)?.[1] ?? 'decline') as Behaviour;
    const id = `py_sbx_${this.random.alphanumeric(20)}`;
    const result: ChargeResult =
      behaviour === 'ok' ? { status: 'succeeded', providerPaymentId: id } : { status: 'failed', providerPaymentId: id, ...(OUTCOMES[behaviour] ?? OUTCOMES.decline), retryable: behaviour !== 'action' };
    this.charges.set(request.idempotencyKey, result);
    if (this.charges.size > 100_000) this.charges.delete(this.charges.keys().next().value!);
    return result;
  }
}
