import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { In, type EntityManager } from 'typeorm';
import { EventTypes, IntegrationEventReceivedData, type EventEnvelope } from '@saas/contracts';
import { EventOutbox, OnEvent } from '@saas/messaging';
import { Clock, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { BillingConfig } from '../config.js';
import { InvoiceIssuer } from '../invoices/invoice-issuer.js';
import { Invoice } from '../invoices/invoice.entity.js';
import { SubscriptionLifecycle } from '../subscriptions/subscription-lifecycle.js';
import { Subscription } from '../subscriptions/subscription.entity.js';
import { PaymentCollector } from './payment-collector.js';
import { Payment } from './payment.entity.js';
import { ProviderEvent } from './provider-event.entity.js';

/** The parts of a Stripe event (`object: 'event'`) about a PaymentIntent that billing reads. */
interface StripePaymentIntentEvent {
  id?: string;
  object?: string;
  type?: string;
  data?: {
    object?: {
      id?: string;
      object?: string;
      status?: string;
      last_payment_error?: { code?: string; decline_code?: string; message?: string } | null;
    };
  };
}

const HANDLED = new Set(['payment_intent.succeeded', 'payment_intent.payment_failed']);

/**
 * Stripe's webhooks, as the webhooks service's inbound integration received them: it checked the
 * `Stripe-Signature` with the official `stripe` library against the integration's secret and
 * publishes `integration.event_received` once per Stripe event id. Only the integration named
 * BILLING_STRIPE_WEBHOOK_PROVIDER counts (another provider's secret cannot speak for Stripe).
 *
 * `payment_intent.succeeded` settles the payment it names (e.g. one that needed the buyer's
 * authentication, now given): the payment, its invoice and — when nothing else is open — the
 * subscription become paid/active, with their events. `payment_intent.payment_failed` records
 * Stripe's reason on a payment still unsettled. Each Stripe event is applied once (the
 * `provider_events` row is written in the same transaction), and a state already reached is left
 * alone, so an event replayed under another id changes nothing either.
 */
@Injectable()
export class StripeWebhookHandler {
  private readonly providerName: string;

  constructor(
    private readonly clock: Clock,
    private readonly collector: PaymentCollector,
    private readonly issuer: InvoiceIssuer,
    private readonly lifecycle: SubscriptionLifecycle,
    private readonly outbox: EventOutbox,
    @Inject(SERVICE_CONFIG) config: BillingConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.providerName = config.BILLING_STRIPE_WEBHOOK_PROVIDER;
  }

  @OnEvent(EventTypes.IntegrationEventReceived, { data: IntegrationEventReceivedData })
  async onIntegrationEvent(event: EventEnvelope<IntegrationEventReceivedData>, tx: EntityManager): Promise<void> {
    const d = event.data;
    if (d.provider !== this.providerName || !HANDLED.has(d.type)) return;
    const stripeEvent = d.payload as StripePaymentIntentEvent;
    const intent = stripeEvent.data?.object;
    if (stripeEvent.object !== 'event' || intent?.object !== 'payment_intent' || typeof intent.id !== 'string') return;
    const claimed = (await tx.query(
      `INSERT INTO provider_events (provider, event_id, type, outcome, applied_at) VALUES ('stripe', $1, $2, 'pending', $3)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [d.event_id, d.type, this.clock.now()],
    )) as unknown[];
    if (claimed.length === 0) return; // applied before
    const outcome =
      d.type === 'payment_intent.succeeded'
        ? await this.settle(tx, intent.id)
        : await this.recordFailure(tx, intent.id, intent.last_payment_error ?? null);
    await tx.getRepository(ProviderEvent).update({ provider: 'stripe', eventId: d.event_id }, { outcome });
    this.logger.info({ stripe_event: d.event_id, type: d.type, payment_intent: intent.id, outcome }, 'Stripe webhook applied');
  }

  private async paymentOf(tx: EntityManager, intentId: string): Promise<{ payment: Payment; invoice: Invoice | null; sub: Subscription | null } | null> {
    const payment = await tx.getRepository(Payment).findOneBy({ provider: 'stripe', providerPaymentId: intentId });
    if (!payment) return null;
    const invoice = payment.invoiceId ? await tx.getRepository(Invoice).findOneBy({ id: payment.invoiceId }) : null;
    // The subscription's row lock first, as every other path takes it, then the payment's own.
    const sub = invoice?.subscriptionId ? await tx.getRepository(Subscription).findOne({ where: { id: invoice.subscriptionId }, lock: { mode: 'pessimistic_write' } }) : null;
    const locked = await tx.getRepository(Payment).findOne({ where: { id: payment.id }, lock: { mode: 'pessimistic_write' } });
    const fresh = invoice ? await tx.getRepository(Invoice).findOneBy({ id: invoice.id }) : null;
    return { payment: locked!, invoice: fresh, sub };
  }

  private async settle(tx: EntityManager, intentId: string): Promise<string> {
    const found = await this.paymentOf(tx, intentId);
    if (!found) return 'unknown_payment';
    const { payment, invoice, sub } = found;
    if (payment.status === 'succeeded') return 'already_known';
    const at = this.clock.now();
    await tx.getRepository(Payment).update({ id: payment.id }, { status: 'succeeded', declineCode: null, failureReason: null });
    payment.status = 'succeeded';
    if (!invoice || !sub || (invoice.status !== 'open' && invoice.status !== 'uncollectible')) {
      // Its invoice was paid another way or voided meanwhile: the payment is recorded, nothing else moves.
      return 'settled';
    }
    const events = this.collector.apply(
      { payment, outcome: { paid: true }, result: { status: 'succeeded', providerPaymentId: intentId }, firstPayment: sub.awaitingFirstPayment },
      invoice,
      at,
    );
    await this.issuer.saveStates(tx, [invoice]);
    await this.outbox.addMany(tx, events);
    const stillOpen = await tx.getRepository(Invoice).countBy({ subscriptionId: sub.id, status: In(['open', 'uncollectible']) });
    if (stillOpen === 0 && (sub.status === 'past_due' || sub.status === 'unpaid')) {
      // The tenant's resumption (if it was suspended) follows from the renewal round's reconciliation.
      await this.lifecycle.save(tx, sub, at, { status: 'active', fields: ['dunning'], reason: 'paid (Stripe payment_intent.succeeded)' });
    }
    return 'settled';
  }

  private async recordFailure(tx: EntityManager, intentId: string, error: { code?: string; decline_code?: string; message?: string } | null): Promise<string> {
    const found = await this.paymentOf(tx, intentId);
    if (!found) return 'unknown_payment';
    const { payment, invoice, sub } = found;
    const declineCode = error?.decline_code ?? error?.code ?? 'payment_failed';
    const reason = error?.message ?? 'The payment failed.';
    // A settled payment stays settled; the same failure already recorded is not recorded twice.
    if (payment.status === 'succeeded' || (payment.declineCode === declineCode && payment.failureReason === reason)) return 'already_known';
    await tx.getRepository(Payment).update({ id: payment.id }, { declineCode, failureReason: reason });
    await this.outbox.add(tx, {
      type: EventTypes.PaymentFailed,
      tenantId: payment.tenantId,
      data: {
        payment_id: payment.id,
        invoice_id: payment.invoiceId,
        tenant_id: payment.tenantId,
        amount: payment.amount,
        currency: payment.currency,
        provider: payment.provider,
        provider_payment_id: intentId,
        reason,
        retryable: declineCode !== 'authentication_required',
        error_code: 'BILLING_ERROR',
        decline_code: declineCode,
        attempt: payment.attempt,
        ...(sub?.awaitingFirstPayment && invoice ? { first_payment: true } : {}),
      },
    });
    return 'failure_recorded';
  }
}
