import type { PlanCurrency } from '@saas/contracts';

export interface CardInput {
  number: string;
  exp_month: number;
  exp_year: number;
  cvc?: string;
}

export interface TokenisedCard {
  /** The provider's reference; the card number itself is never kept by billing. */
  token: string;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
}

export interface ChargeRequest {
  token: string;
  amount: number;
  currency: PlanCurrency;
  /** Same key → the same charge: the provider answers the first outcome again and never charges twice. */
  idempotencyKey: string;
  description: string;
}

export type ChargeResult =
  | { status: 'succeeded'; providerPaymentId: string }
  | { status: 'failed'; providerPaymentId: string | null; declineCode: string; reason: string; retryable: boolean };

/** A definite refusal to tokenise (bad number, expired card): shown to the buyer, never retried. */
export class CardRejected extends Error {
  constructor(
    readonly declineCode: string,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * The port to a payment provider (sandbox | Stripe).
 *
 * Contract:
 * - `tokenise` sends the card to the provider once and returns its token plus what may be stored
 *   (brand, last 4 digits, expiry); it throws CardRejected for a card the provider refuses outright.
 * - `charge` is idempotent by `idempotencyKey`: calling it again with the same key (a retry after a
 *   crash or a timeout) returns the first outcome and moves money at most once. A decline is an
 *   answer (`status: 'failed'` with the provider's decline code), not an exception; an exception
 *   means the outcome is unknown and the caller must retry with the same key.
 * - A card that needs the buyer's authentication (3-D Secure) fails off-session charges with
 *   `authentication_required`.
 */
export abstract class PaymentProvider {
  abstract readonly name: string;
  abstract tokenise(card: CardInput, now: Date): Promise<TokenisedCard>;
  abstract charge(request: ChargeRequest): Promise<ChargeResult>;
}
