import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { Invoice } from '../invoices/invoice.entity.js';
import { toInvoiceEventData } from '../invoices/invoice.view.js';
import type { Subscription } from '../subscriptions/subscription.entity.js';
import { PaymentMethod } from './payment-method.entity.js';
import { PaymentProvider } from './payment-provider.js';
import { Payment } from './payment.entity.js';

export type CollectionOutcome = { paid: true } | { paid: false; declineCode: string; reason: string };

/**
 * Charges an open invoice with the subscription's payment method (or the tenant's default), records
 * the attempt and its events in the caller's transaction. The idempotency key is the invoice and the
 * attempt number, so re-running a crashed transaction sends the provider the same key.
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

  async collect(tx: EntityManager, sub: Subscription, invoice: Invoice, at: Date, idempotencyKey?: string): Promise<CollectionOutcome> {
    if (invoice.status !== 'open' && invoice.status !== 'uncollectible') return { paid: invoice.status === 'paid' } as CollectionOutcome;
    const amount = invoice.total - invoice.amountPaid;
    const attempt = (await tx.getRepository(Payment).countBy({ invoiceId: invoice.id })) + 1;
    const key = idempotencyKey ?? `invoice:${invoice.id}:attempt:${attempt}`;
    const method = await this.methodFor(tx, sub);
    const payment = tx.getRepository(Payment).create({
      id: randomUUID(),
      tenantId: sub.tenantId,
      invoiceId: invoice.id,
      paymentMethodId: method?.id ?? null,
      provider: this.provider.name,
      providerPaymentId: null,
      idempotencyKey: key,
      amount,
      currency: invoice.currency,
      status: 'failed',
      declineCode: null,
      failureReason: null,
      attempt,
      createdAt: at,
    });
    const result = method
      ? await this.provider.charge({ token: method.token, amount, currency: invoice.currency, idempotencyKey: key, description: `Invoice ${invoice.number}` })
      : ({ status: 'failed', providerPaymentId: null, declineCode: 'no_payment_method', reason: 'The tenant has no payment method.', retryable: true } as const);
    payment.providerPaymentId = result.providerPaymentId;
    const base = { payment_id: payment.id, invoice_id: invoice.id, tenant_id: sub.tenantId, amount, currency: invoice.currency, provider: this.provider.name };
    if (result.status === 'succeeded') {
      payment.status = 'succeeded';
      await tx.getRepository(Payment).insert(payment);
      Object.assign(invoice, { status: 'paid', amountPaid: invoice.total, paidAt: at, updatedAt: at });
      await tx.getRepository(Invoice).update({ id: invoice.id }, { status: 'paid', amountPaid: invoice.total, paidAt: at, updatedAt: at });
      await this.outbox.add(tx, {
        type: EventTypes.PaymentSucceeded,
        tenantId: sub.tenantId,
        data: { ...base, provider_payment_id: result.providerPaymentId, paid_at: at.toISOString(), attempt },
      });
      await this.outbox.add(tx, { type: EventTypes.InvoicePaid, tenantId: sub.tenantId, data: toInvoiceEventData(invoice) });
      return { paid: true };
    }
    Object.assign(payment, { declineCode: result.declineCode, failureReason: result.reason });
    await tx.getRepository(Payment).insert(payment);
    await this.outbox.add(tx, {
      type: EventTypes.PaymentFailed,
      tenantId: sub.tenantId,
      data: { ...base, reason: result.reason, retryable: result.retryable, error_code: 'BILLING_ERROR', decline_code: result.declineCode, attempt },
    });
    return { paid: false, declineCode: result.declineCode, reason: result.reason };
  }
}
