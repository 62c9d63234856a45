import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, type InvoiceEventData, type InvoiceLineView, type NewEvent } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { SERVICE_CONFIG } from '@saas/service-kit';
import { insertRows } from '@saas/database';
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
 * The id of a subscription's `period` invoice: derived from the subscription and the period, so a
 * renewal retried after a crash drafts the same invoice again and charges it with the same
 * idempotency key (the provider answers the first outcome; nothing is charged twice).
 */
export function periodInvoiceId(subscriptionId: string, periodStart: Date): string {
  const h = createHash('sha256').update(`invoice:period:${subscriptionId}:${periodStart.toISOString()}`).digest('hex');
  // UUID version 8 (custom) with the RFC 9562 variant bits.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Issues invoices in two steps. `draft` builds the invoice (lines, tax, totals, buyer, seller and
 * plan version copied in, so nothing changed later rewrites it) without a number; `finalize` makes
 * drafts `open` and gives them their numbers from a per-year counter row updated (hence locked) in
 * the caller's transaction — one statement for a whole batch, taken as late as possible, so numbers
 * are sequential and gapless (a rolled-back transaction gives its numbers back) while the lock is
 * held only for the end of the transaction. `invoice.created` is emitted at finalization, with the number.
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

  /** Reserves `count` numbers of `year`; returns the first. Locks the year's counter until the transaction ends. */
  async reserveNumbers(tx: EntityManager, year: number, count: number): Promise<number> {
    const raw = (await tx.query(
      `INSERT INTO invoice_counters (year, last) VALUES ($1, $2)
       ON CONFLICT (year) DO UPDATE SET last = invoice_counters.last + EXCLUDED.last RETURNING last`,
      [year, count],
    )) as Array<{ last: number }>;
    return raw[0]!.last - count + 1;
  }

  /** A `draft` invoice (no number yet), not written. */
  draft(sub: Subscription, draft: NewInvoice): Invoice {
    const subtotal = draft.lines.reduce((sum, l) => sum + l.amount, 0);
    if (subtotal < 0) throw new Error('an invoice cannot have a negative subtotal');
    const rateBp = this.taxRateOf(sub.billingCountry);
    const tax = taxOf(subtotal, rateBp);
    return Object.assign(new Invoice(), {
      id: draft.kind === 'period' ? periodInvoiceId(sub.id, draft.periodStart) : randomUUID(),
      number: null,
      tenantId: sub.tenantId,
      subscriptionId: sub.id,
      kind: draft.kind,
      status: 'draft',
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
      finalizedAt: null,
      plan: sub.plan,
      planVersion: sub.planVersion,
      buyer: { name: sub.tenantName, billing_address: sub.billingAddress, country: sub.billingCountry, email: sub.buyerEmail },
      seller: this.seller,
      updatedAt: draft.issuedAt,
    } satisfies Invoice);
  }

  /** Writes drafts (one INSERT per 500). */
  async insertDrafts(tx: EntityManager, drafts: Invoice[]): Promise<void> {
    await insertRows(tx, Invoice, drafts);
  }

  /**
   * Gives drafts their numbers, in the given order (one counter statement per year), and makes them
   * `open` (or `paid` when nothing is due) in memory; returns each one's events, in order. The
   * caller writes the state with `saveStates` before its transaction commits: the counter rows stay
   * locked until then, so call this as late as possible.
   */
  async number(tx: EntityManager, drafts: Invoice[]): Promise<Array<Array<NewEvent<InvoiceEventData>>>> {
    const byYear = new Map<number, Invoice[]>();
    for (const inv of drafts) {
      if (inv.status !== 'draft') throw new Error(`invoice ${inv.id} is ${inv.status}, not a draft`);
      const year = inv.issuedAt.getUTCFullYear();
      byYear.set(year, [...(byYear.get(year) ?? []), inv]);
    }
    // Years in order, so two transactions never wait on each other's counters crosswise.
    for (const [year, invoices] of [...byYear].sort(([a], [b]) => a - b)) {
      const first = await this.reserveNumbers(tx, year, invoices.length);
      invoices.forEach((inv, i) => (inv.number = formatInvoiceNumber(year, first + i)));
    }
    return drafts.map((inv) => {
      inv.status = 'open';
      inv.finalizedAt = inv.issuedAt;
      const events: Array<NewEvent<InvoiceEventData>> = [{ type: EventTypes.InvoiceCreated, tenantId: inv.tenantId, data: toInvoiceEventData(inv) }];
      if (inv.total === 0) {
        Object.assign(inv, { status: 'paid', paidAt: inv.issuedAt });
        events.push({ type: EventTypes.InvoicePaid, tenantId: inv.tenantId, data: toInvoiceEventData(inv) });
      }
      return events;
    });
  }

  /** Writes what finalization and payment changed on these invoices (one statement). */
  async saveStates(tx: EntityManager, invoices: Invoice[]): Promise<void> {
    if (invoices.length === 0) return;
    await tx.query(
      `UPDATE invoices i SET number = f.number, status = f.status, amount_paid = f.amount_paid, paid_at = f.paid_at, finalized_at = f.finalized_at, updated_at = f.updated_at
         FROM jsonb_to_recordset($1::jsonb) AS f(id uuid, number text, status text, amount_paid int, paid_at timestamptz, finalized_at timestamptz, updated_at timestamptz)
        WHERE i.id = f.id`,
      [
        JSON.stringify(
          invoices.map((d) => ({ id: d.id, number: d.number, status: d.status, amount_paid: d.amountPaid, paid_at: d.paidAt, finalized_at: d.finalizedAt, updated_at: d.updatedAt })),
        ),
      ],
    );
  }

  /** Finalizes written drafts: numbered, `open` (or `paid`), written, and their events emitted. */
  async finalize(tx: EntityManager, drafts: Invoice[]): Promise<void> {
    const events = await this.number(tx, drafts);
    await this.saveStates(tx, drafts);
    await this.outbox.addMany(tx, events.flat());
  }

  /** Drafts, writes and finalizes one invoice: `open` (or `paid` when nothing is due), numbered. */
  async issue(tx: EntityManager, sub: Subscription, draft: NewInvoice): Promise<Invoice> {
    const invoice = this.draft(sub, draft);
    await this.insertDrafts(tx, [invoice]);
    await this.finalize(tx, [invoice]);
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
