import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { BillingRpc, InvoiceRefRequest, ListInvoicesRequest, type InvoicePdf, type InvoiceView, type ListResult } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { InvoicesService } from './invoices.service.js';

@Controller()
export class InvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  @RpcHandler(BillingRpc.invoicesList)
  list(@Payload() req: ListInvoicesRequest): Promise<ListResult<InvoiceView>> {
    return this.invoices.list(req);
  }

  @RpcHandler(BillingRpc.invoicesGet)
  get(@Payload() req: InvoiceRefRequest): Promise<InvoiceView> {
    return this.invoices.get(req);
  }

  @RpcHandler(BillingRpc.invoicesPdf)
  pdf(@Payload() req: InvoiceRefRequest): Promise<InvoicePdf> {
    return this.invoices.pdf(req);
  }
}
