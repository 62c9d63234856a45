import type { InvoiceEventData, InvoiceView } from '@saas/contracts';
import type { Invoice } from './invoice.entity.js';

/** A finalized invoice's number; drafts are never shown nor announced (they live inside one transaction). */
export function invoiceNumber(inv: Invoice): string {
  if (inv.number === null) throw new Error(`invoice ${inv.id} is a draft and has no number yet`);
  return inv.number;
}

export function toInvoiceView(inv: Invoice): InvoiceView {
  return {
    id: inv.id,
    number: invoiceNumber(inv),
    tenant_id: inv.tenantId,
    subscription_id: inv.subscriptionId,
    status: inv.status,
    kind: inv.kind,
    currency: inv.currency,
    lines: inv.lines,
    subtotal: inv.subtotal,
    tax_rate_percent: inv.taxRateBp / 100,
    tax: inv.tax,
    total: inv.total,
    amount_paid: inv.amountPaid,
    amount_due: inv.status === 'open' || inv.status === 'uncollectible' ? inv.total - inv.amountPaid : 0,
    period_start: inv.periodStart.toISOString(),
    period_end: inv.periodEnd.toISOString(),
    issued_at: inv.issuedAt.toISOString(),
    due_date: inv.dueDate.toISOString(),
    paid_at: inv.paidAt?.toISOString() ?? null,
    voided_at: inv.voidedAt?.toISOString() ?? null,
    plan: inv.plan,
    plan_version: inv.planVersion,
    buyer: inv.buyer,
    pdf_url: `/api/v1/billing/invoices/${inv.id}/pdf`,
  };
}

export function toInvoiceEventData(inv: Invoice): InvoiceEventData {
  return {
    invoice_id: inv.id,
    tenant_id: inv.tenantId,
    subscription_id: inv.subscriptionId,
    number: invoiceNumber(inv),
    status: inv.status,
    amount: inv.total,
    subtotal: inv.subtotal,
    tax: inv.tax,
    currency: inv.currency,
    period_start: inv.periodStart.toISOString(),
    period_end: inv.periodEnd.toISOString(),
    due_at: inv.dueDate.toISOString(),
    kind: inv.kind,
  };
}
