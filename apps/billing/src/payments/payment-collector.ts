import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { EventTypes, type NewEvent } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { insertRows } from '@saas/database';
import { Invoice } from '../invoices/invoice.entity.js';
import { toInvoiceEventData } from '../invoices/invoice.view.js';
import type { Subscription } from '../subscriptions/subscription.entity.js';
import { PaymentMethod } from './payment-method.entity.js';
import { PaymentProvider, type ChargeResult } from './payment-provider.js';
import { Payment } from './payment.entity.js';

export type CollectionOutcome = { paid: true } | { paid: false; declineCode: string; reason: string };

/** A charge the provider answered, not yet applied to its invoice nor written. */
export interface ChargeAttempt {
  payment: Payment;
  /** The charge that starts a subscription without a trial (its events say `first_payment`). */
  firstPayment: boolean;
  outcome: CollectionOutcome;
  result: ChargeResult;
}

/**
 * Charges an open invoice with the subscription's payment method (or the tenant's default), records
 * the attempt and its events in the caller's transaction. The idempotency key is the invoice and the
 * attempt number, so re-running a crashed transaction sends the provider the same key (period
 * invoices have ids derived from their period, so this holds across a crash too).
 *
 * The steps are also callable one by one (`charge`, `apply`, `insertPayments`), for the renewal
 * batch that charges many invoices and writes them all in a few statements.
 */
@Injectable()
export class PaymentCollector {
  constructor(
    private readonly provider: PaymentProvider,
    private readonly outbox: EventOutbox,
  ) {}

  async methodFor(tx: EntityManager, sub: Subscription): Promise<PaymentMethod | null> {
    const repo = tx.getRepository(PaymentMethod);
    if (sub.paymentMethodId) {
      const chosen = await repo.findOneBy({ id: sub.paymentMethodId, tenantId: sub.tenantId });
      if (chosen) return chosen;
    }
    return repo.findOneBy({ tenantId: sub.tenantId, isDefault: true });
  }

  /** The method each subscription is charged with, for many at once (one query). */
  async methodsFor(tx: EntityManager, subs: Subscription[]): Promise<Map<string, PaymentMethod | null>> {
    const tenantIds = [...new Set(subs.map((s) => s.tenantId))];
    const methods = tenantIds.length ? await tx.getRepository(PaymentMethod).findBy({ tenantId: In(tenantIds) }) : [];
    return new Map(
      subs.map((sub) => {
        const own = methods.filter((m) => m.tenantId === sub.tenantId);
        return [sub.id, own.find((m) => m.id === sub.paymentMethodId) ?? own.find((m) => m.isDefault) ?? null] as const;
      }),
    );
  }

  /**
   * Asks the provider to charge what is due on the invoice (nothing is written; the invoice is not
   * changed). Throws when the provider's answer is unknown: the caller rolls back and retries later
   * with the same key.
   */
  async charge(sub: Subscription, invoice: Invoice, method: PaymentMethod | null, attempt: number, at: Date, idempotencyKey?: string): Promise<ChargeAttempt> {
    const amount = invoice.total - invoice.amountPaid;
    const key = idempotencyKey ?? `invoice:${invoice.id}:attempt:${attempt}`;
    const description = invoice.number ? `Invoice ${invoice.number}` : `${invoice.plan} plan, ${invoice.periodStart.toISOString().slice(0, 10)} to ${invoice.periodEnd.toISOString().slice(0, 10)}`;
    const result: ChargeResult = method
      ? await this.provider.charge({ token: method.token, amount, currency: invoice.currency, idempotencyKey: key, description })
      : { status: 'failed', providerPaymentId: null, declineCode: 'no_payment_method', reason: 'The tenant has no payment method.', retryable: true };
    const payment = Object.assign(new Payment(), {
      id: randomUUID(),
      tenantId: sub.tenantId,
      invoiceId: invoice.id,
      paymentMethodId: method?.id ?? null,
      provider: this.provider.name,
      providerPaymentId: result.providerPaymentId,
      idempotencyKey: key,
      amount,
      currency: invoice.currency,
      status: result.status === 'succeeded' ? 'succeeded' : 'failed',
      declineCode: result.status === 'failed' ? result.declineCode : null,
      failureReason: result.status === 'failed' ? result.reason : null,
      attempt,
      createdAt: at,
    } satisfies Payment);
    const outcome: CollectionOutcome = result.status === 'succeeded' ? { paid: true } : { paid: false, declineCode: result.declineCode, reason: result.reason };
    const firstPayment = sub.awaitingFirstPayment || (invoice.kind === 'period' && !sub.trialEnd && invoice.periodStart.getTime() === sub.startDate.getTime());
    return { payment, outcome, result, firstPayment };
  }

  /** Applies an answered charge to its (finalized) invoice in memory; returns the events, in order. */
  apply(attempt: ChargeAttempt, invoice: Invoice, at: Date): Array<NewEvent<unknown>> {
    const { payment, result } = attempt;
    const base = {
      payment_id: payment.id,
      invoice_id: invoice.id,
      tenant_id: payment.tenantId,
      amount: payment.amount,
      currency: invoice.currency,
      provider: payment.provider,
      ...(attempt.firstPayment ? { first_payment: true } : {}),
    };
    if (result.status === 'succeeded') {
      Object.assign(invoice, { status: 'paid', amountPaid: invoice.total, paidAt: at, updatedAt: at });
      return [
        { type: EventTypes.PaymentSucceeded, tenantId: payment.tenantId, data: { ...base, provider_payment_id: result.providerPaymentId, paid_at: at.toISOString(), attempt: payment.attempt } },
        { type: EventTypes.InvoicePaid, tenantId: payment.tenantId, data: toInvoiceEventData(invoice) },
      ];
    }
    return [
      {
        type: EventTypes.PaymentFailed,
        tenantId: payment.tenantId,
        data: { ...base, reason: result.reason, retryable: result.retryable, error_code: 'BILLING_ERROR', decline_code: result.declineCode, attempt: payment.attempt },
      },
    ];
  }

  async insertPayments(tx: EntityManager, attempts: ChargeAttempt[]): Promise<void> {
    await insertRows(tx, Payment, attempts.map((a) => a.payment));
  }

  async collect(tx: EntityManager, sub: Subscription, invoice: Invoice, at: Date, idempotencyKey?: string): Promise<CollectionOutcome> {
    if (invoice.status !== 'open' && invoice.status !== 'uncollectible') return { paid: invoice.status === 'paid' } as CollectionOutcome;
    const attemptNo = (await tx.getRepository(Payment).countBy({ invoiceId: invoice.id })) + 1;
    const attempt = await this.charge(sub, invoice, await this.methodFor(tx, sub), attemptNo, at, idempotencyKey);
    const events = this.apply(attempt, invoice, at);
    await this.insertPayments(tx, [attempt]);
    if (attempt.outcome.paid) await tx.getRepository(Invoice).update({ id: invoice.id }, { status: 'paid', amountPaid: invoice.total, paidAt: at, updatedAt: at });
    await this.outbox.addMany(tx, events);
    return attempt.outcome;
  }
}
