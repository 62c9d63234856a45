import Stripe from 'stripe';
import type { PlanCurrency } from '@saas/contracts';
import { CardRejected, PaymentProvider, type CardInput, type ChargeRequest, type ChargeResult, type TokenisedCard } from './payment-provider.js';

export interface StripeProviderOptions {
  secretKey: string;
  /** `https://api.stripe.com` in production; a fake server's URL in tests. */
  apiBase: string;
}

function isCardError(err: unknown): err is { type: string; code?: string; decline_code?: string; message: string; raw?: { payment_intent?: { id?: string } } } {
  return typeof err === 'object' && err !== null && (err as { type?: string }).type === 'StripeCardError';
}

/**
 * Stripe through the official SDK. Cards become PaymentMethods (`pm_…`, the token we keep); a charge
 * is a PaymentIntent confirmed off-session, sent with our idempotency key so Stripe itself answers a
 * retried request with the first outcome. A card error is a decline (an answer); any other error
 * leaves the outcome unknown, and the caller retries with the same key.
 */
export class StripePaymentProvider extends PaymentProvider {
  readonly name = 'stripe';
  private readonly stripe: Stripe;

  constructor(options: StripeProviderOptions) {
    super();
    const url = new URL(options.apiBase);
    this.stripe = new Stripe(options.secretKey, {
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'http:' ? 80 : 443)),
      protocol: url.protocol === 'http:' ? 'http' : 'https',
      maxNetworkRetries: 2,
      timeout: 20_000,
      telemetry: false,
    });
  }

  async tokenise(card: CardInput): Promise<TokenisedCard> {
    try {
      const pm = await this.stripe.paymentMethods.create({
        type: 'card',
        card: { number: card.number, exp_month: card.exp_month, exp_year: card.exp_year, ...(card.cvc ? { cvc: card.cvc } : {}) },
      });
      return {
        token: pm.id,
        brand: pm.card?.brand ?? 'unknown',
        last4: pm.card?.last4 ?? card.number.slice(-4),
        exp_month: pm.card?.exp_month ?? card.exp_month,
        exp_year: pm.card?.exp_year ?? card.exp_year,
      };
    } catch (err) {
      if (isCardError(err)) throw new CardRejected(err.decline_code || err.code || 'card_error', err.message);
      throw err;
    }
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: request.amount,
          currency: request.currency.toLowerCase() as Lowercase<PlanCurrency>,
          payment_method: request.token,
          confirm: true,
          off_session: true,
          description: request.description,
        },
        { idempotencyKey: request.idempotencyKey },
      );
      if (intent.status === 'succeeded') return { status: 'succeeded', providerPaymentId: intent.id };
      return { status: 'failed', providerPaymentId: intent.id, declineCode: intent.status, reason: `The payment is ${intent.status}.`, retryable: intent.status !== 'requires_action' };
    } catch (err) {
      if (isCardError(err)) {
        const code = err.decline_code || err.code || 'card_declined';
        return { status: 'failed', providerPaymentId: err.raw?.payment_intent?.id ?? null, declineCode: code, reason: err.message, retryable: code !== 'authentication_required' };
      }
      throw err;
    }
  }
}
