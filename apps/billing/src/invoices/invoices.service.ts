import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { callerUserId, isAdmin, type InvoicePdf, type InvoiceRefRequest, type InvoiceView, type ListInvoicesRequest, type ListResult } from '@saas/contracts';
import { paginate } from '@saas/database';
import { BillingException } from '../common/billing.exception.js';
import { TenantsPort } from '../common/tenants-port.js';
import { renderInvoicePdf } from './invoice-pdf.js';
import { Invoice } from './invoice.entity.js';
import { invoiceNumber, toInvoiceView } from './invoice.view.js';

@Injectable()
export class InvoicesService {
  constructor(
    private readonly ds: DataSource,
    private readonly tenants: TenantsPort,
  ) {}

  async list(req: ListInvoicesRequest): Promise<ListResult<InvoiceView>> {
    const qb = this.ds.getRepository(Invoice).createQueryBuilder('i');
    if (req.tenant_id) {
      await this.tenants.authorize(req.caller, req.tenant_id, 'admin');
      qb.andWhere('i.tenant_id = :tenantId', { tenantId: req.tenant_id });
    } else if (req.caller.tenant_id) {
      await this.tenants.authorize(req.caller, req.caller.tenant_id, 'admin');
      qb.andWhere('i.tenant_id = :tenantId', { tenantId: req.caller.tenant_id });
    } else if (!isAdmin(req.caller)) {
      // Without a tenant filter: the invoices of the tenants the caller owns.
      qb.andWhere('i.tenant_id IN (SELECT s.tenant_id FROM subscriptions s WHERE s.owner_id = :ownerId)', { ownerId: callerUserId(req.caller) });
    }
    if (req.subscription_id) qb.andWhere('i.subscription_id = :subscriptionId', { subscriptionId: req.subscription_id });
    if (req.status) qb.andWhere('i.status = :status', { status: req.status });
    if (req.date_from) qb.andWhere('i.issued_at >= :from', { from: req.date_from });
    if (req.date_to) qb.andWhere('i.issued_at <= :to', { to: req.date_to });
    const page = await paginate(qb, req, {
      orderable: { issued_at: 'issuedAt', number: 'number', total: 'total', status: 'status', due_date: 'dueDate' },
      defaultOrder: { issued_at: 'DESC' },
    });
    return { count: page.count, results: page.results.map(toInvoiceView) };
  }

  private async authorized(req: InvoiceRefRequest): Promise<Invoice> {
    const invoice = await this.ds.getRepository(Invoice).findOneBy({ id: req.id });
    if (!invoice) throw BillingException.invoiceNotFound();
    await this.tenants.authorize(req.caller, invoice.tenantId, 'admin', BillingException.invoiceNotFound);
    return invoice;
  }

  async get(req: InvoiceRefRequest): Promise<InvoiceView> {
    return toInvoiceView(await this.authorized(req));
  }

  async pdf(req: InvoiceRefRequest): Promise<InvoicePdf> {
    const invoice = await this.authorized(req);
    const pdf = await renderInvoicePdf(invoice);
    return { filename: `${invoiceNumber(invoice)}.pdf`, content_type: 'application/pdf', content_base64: pdf.toString('base64') };
  }
}
