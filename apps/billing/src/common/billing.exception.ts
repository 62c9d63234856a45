import { BillingErrorCodes, type SubscriptionStatus } from '@saas/contracts';
import { DomainException } from '@saas/errors';

/** Problems of the billing service; each code is in BillingErrorCodes (libs/contracts). */
export class BillingException extends DomainException {
  static subscriptionNotFound(): BillingException {
    return new BillingException(BillingErrorCodes.SUBSCRIPTION_NOT_FOUND, 'No subscription with that id.', { status: 404 });
  }

  static invoiceNotFound(): BillingException {
    return new BillingException(BillingErrorCodes.INVOICE_NOT_FOUND, 'No invoice with that id.', { status: 404 });
  }

  static paymentMethodNotFound(): BillingException {
    return new BillingException(BillingErrorCodes.PAYMENT_METHOD_NOT_FOUND, 'No payment method with that id.', { status: 404 });
  }

  static tenantNotFound(): BillingException {
    return new BillingException('TENANT_NOT_FOUND', 'No tenant with that id.', { status: 404 });
  }

  static seatLimitReached(maxUsers: number): BillingException {
    return new BillingException(BillingErrorCodes.SEAT_LIMIT_REACHED, `All ${maxUsers} seats are taken; raise max_users first.`, {
      status: 409,
      extensions: { max_users: maxUsers },
    });
  }

  static subscriptionExists(id: string): BillingException {
    return new BillingException(BillingErrorCodes.SUBSCRIPTION_EXISTS, 'The tenant already has a live subscription; change that one.', {
      status: 409,
      extensions: { subscription_id: id },
    });
  }

  static invalidState(status: SubscriptionStatus, detail: string): BillingException {
    return new BillingException(BillingErrorCodes.INVALID_SUBSCRIPTION_STATE, detail, { status: 409, extensions: { current_status: status } });
  }

  static previewStale(): BillingException {
    return new BillingException(BillingErrorCodes.PREVIEW_STALE, 'The subscription changed (or the preview expired) since that preview; preview the change again.', {
      status: 409,
    });
  }

  /** A decline: 402 with the provider's reason, so the buyer knows what to fix. */
  static declined(reason: string, declineCode: string): BillingException {
    return new BillingException(BillingErrorCodes.BILLING_ERROR, `The payment was declined: ${reason}`, {
      status: 402,
      extensions: { decline_code: declineCode, reason },
    });
  }

  static testClocksUnavailable(): BillingException {
    return new BillingException(BillingErrorCodes.TEST_CLOCKS_UNAVAILABLE, 'Test clocks exist only with the sandbox payment provider.', { status: 404 });
  }

  static field(field: string, message: string): DomainException {
    return DomainException.validation([{ field, message }]);
  }
}
