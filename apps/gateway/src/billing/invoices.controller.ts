import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BillingRpc, type CallerDto, type InvoiceView, type Page } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller } from '../auth/auth.decorators.js';
import { ApiListQuery, Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { IdParams, ListInvoicesQuery } from './dto/billing.dto.js';
import { ApiPageResponse, ApiResult } from '../http/api-result.js';
import { InvoiceViewDto } from './dto/billing.views.js';

@ApiTags('billing')
@ApiAuth()
@ApiProblems(400, 401, 403, 404, 429, 503, 504)
@Controller('api/v1/billing/invoices')
export class InvoicesController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Invoices of the caller’s tenants (admins: all); filters status, tenant_id, subscription_id, date_from, date_to.', operationId: 'billing.invoices.list' })
  @ApiListQuery({ ordering: ['issued_at', 'number', 'total', 'status', 'due_date'] })
  @ApiPageResponse(InvoiceViewDto)
  async list(@Query() query: ListInvoicesQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<InvoiceView>> {
    return this.paginator.toPage(await this.rpc.call(BillingRpc.invoicesList, { ...query, caller }), query, request);
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'An invoice: number, lines, tax, totals (minor units), status, due date.', operationId: 'billing.invoices.get' })
  @ApiResult(InvoiceViewDto, { description: 'The invoice.' })
  get(@Param() params: IdParams, @Caller() caller: CallerDto): Promise<InvoiceView> {
    return this.rpc.call(BillingRpc.invoicesGet, { id: params.id, caller });
  }

  @Get(':id/pdf')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: 'The invoice as a PDF (seller, buyer, lines, tax, totals).', operationId: 'billing.invoices.pdf' })
  @ApiOkResponse({ description: 'application/pdf', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } })
  async pdf(@Param() params: IdParams, @Caller() caller: CallerDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const pdf = await this.rpc.call(BillingRpc.invoicesPdf, { id: params.id, caller });
    void reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="${pdf.filename.replace(/[^A-Za-z0-9._-]/g, '')}"`);
    return Buffer.from(pdf.content_base64, 'base64');
  }
}
