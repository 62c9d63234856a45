import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, type InvoiceLineView } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { SERVICE_CONFIG } from '@saas/service-kit';
import { parseTaxRates, type BillingConfig } from '../config.js';
import type { Subscription } from '../subscriptions/subscription.entity.js';
import { Invoice } from './invoice.entity.js';
import { toInvoiceEventData } from './invoice.view.js';

/** `INV-2026-000123`. */
export function formatInvoiceNumber(year: number, seq: number): string {
  return `INV-${year}-${String(seq).padStart(6, '0')}`;
}

/** Tax on a subtotal in minor units, rounded half away from zero. */
export function taxOf(subtotal: number, rateBp: number): number {
  return Math.round((subtotal * rateBp) / 10_000);
}

export interface NewInvoice {
  kind: 'period' | 'proration';
  periodStart: Date;
  periodEnd: Date;
  issuedAt: Date;
  lines: InvoiceLineView[];
}

/**
 * Issues invoices: the number comes from a per-year counter row updated (hence locked) in the
 * caller's transaction, so numbers are sequential and gapless — a rolled-back transaction gives its
 * number back. Buyer, seller, plan version and amounts are copied in at issue time.
 */
@Injectable()
export class InvoiceIssuer {
  private readonly taxRates: Record<string, number>;
  private readonly seller: { name: string; address: string[] };

  constructor(
    private readonly outbox: EventOutbox,
    @Inject(SERVICE_CONFIG) config: BillingConfig,
  ) {
    this.taxRates = parseTaxRates(config.BILLING_TAX_RATES);
    const [name, ...address] = config.BILLING_SELLER.split('|');
    this.seller = { name: name!, address };
  }

  taxRateOf(country: string | null): number {
    return country ? (this.taxRates[country] ?? 0) : 0;
  }

  async nextNumber(tx: EntityManager, year: number): Promise<string> {
    await tx.query('INSERT INTO invoice_counters (year, last) VALUES ($1, 0) ON CONFLICT (year) DO NOTHING', [year]);
    // The row lock taken here is held until the caller's transaction ends: the next number waits for it.
    const raw = (await tx.query('UPDATE invoice_counters SET last = last + 1 WHERE year = $1 RETURNING last', [year])) as [Array<{ last: number }>, number];
    return formatInvoiceNumber(year, raw[0][0]!.last);
  }

  /** Issues an `open` invoice (or a `paid` one when nothing is due) and emits `invoice.created`. */
  async issue(tx: EntityManager, sub: Subscription, draft: NewInvoice): Promise<Invoice> {
    const subtotal = draft.lines.reduce((sum, l) => sum + l.amount, 0);
    if (subtotal < 0) throw new Error('an invoice cannot have a negative subtotal');
    const rateBp = this.taxRateOf(sub.billingCountry);
    const tax = taxOf(subtotal, rateBp);
    const invoice = tx.getRepository(Invoice).create({
      id: randomUUID(),
      number: await this.nextNumber(tx, draft.issuedAt.getUTCFullYear()),
      tenantId: sub.tenantId,
      subscriptionId: sub.id,
      kind: draft.kind,
      status: 'open',
      currency: sub.currency,
      lines: draft.lines,
      subtotal,
      taxRateBp: rateBp,
      tax,
      total: subtotal + tax,
      amountPaid: 0,
      periodStart: draft.periodStart,
      periodEnd: draft.periodEnd,
      issuedAt: draft.issuedAt,
      // Charged automatically at issue; dunning runs from here.
      dueDate: draft.issuedAt,
      paidAt: null,
      voidedAt: null,
      plan: sub.plan,
      planVersion: sub.planVersion,
      buyer: { name: sub.tenantName, billing_address: sub.billingAddress, country: sub.billingCountry, email: sub.buyerEmail },
      seller: this.seller,
      updatedAt: draft.issuedAt,
    });
    if (invoice.total === 0) {
      invoice.status = 'paid';
      invoice.paidAt = draft.issuedAt;
    }
    await tx.getRepository(Invoice).insert(invoice);
    await this.outbox.add(tx, { type: EventTypes.InvoiceCreated, tenantId: sub.tenantId, data: toInvoiceEventData(invoice) });
    if (invoice.status === 'paid') await this.outbox.add(tx, { type: EventTypes.InvoicePaid, tenantId: sub.tenantId, data: toInvoiceEventData(invoice) });
    return invoice;
  }

  async void(tx: EntityManager, invoice: Invoice, at: Date): Promise<void> {
    invoice.status = 'void';
    invoice.voidedAt = at;
    invoice.updatedAt = at;
    await tx.getRepository(Invoice).save(invoice);
    await this.outbox.add(tx, { type: EventTypes.InvoiceVoided, tenantId: invoice.tenantId, data: toInvoiceEventData(invoice) });
  }
}
