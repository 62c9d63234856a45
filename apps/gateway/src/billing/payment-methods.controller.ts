import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { BillingRpc, type CallerDto, type Page, type PaymentMethodView } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller } from '../auth/auth.decorators.js';
import { Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { CreatePaymentMethodBody, IdParams, ListPaymentMethodsQuery } from './dto/billing.dto.js';
import { ApiPageResponse, ApiResult } from '../http/api-result.js';
import { PaymentMethodViewDto } from './dto/billing.views.js';

@ApiTags('billing')
@ApiAuth()
@ApiProblems(400, 401, 403, 404, 429, 503, 504)
@Controller('api/v1/billing/payment-methods')
export class PaymentMethodsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'A tenant’s cards (brand, last4, expiry; which one is the default).', operationId: 'billing.payment-methods.list' })
  @ApiPageResponse(PaymentMethodViewDto)
  async list(@Query() query: ListPaymentMethodsQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<PaymentMethodView>> {
    const result = await this.rpc.call(BillingRpc.paymentMethodsList, { ...query, caller });
    return this.paginator.toPage(result, { page: 1, page_size: Math.max(1, result.count) }, request);
  }

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Add a card: tokenised at once; the first (or `set_default`) becomes the default and pays anything overdue.', operationId: 'billing.payment-methods.create' })
  @ApiResult(PaymentMethodViewDto, { description: 'The card (never its number).' })
  @ApiProblems(402)
  create(@Body() body: CreatePaymentMethodBody, @Caller() caller: CallerDto): Promise<PaymentMethodView> {
    return this.rpc.call(BillingRpc.paymentMethodsCreate, { ...body, caller }, { timeoutMs: 30_000 });
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Remove a card (the newest remaining one becomes the default).', operationId: 'billing.payment-methods.delete' })
  @ApiResult(PaymentMethodViewDto, { description: 'The removed card.' })
  remove(@Param() params: IdParams, @Caller() caller: CallerDto): Promise<PaymentMethodView> {
    return this.rpc.call(BillingRpc.paymentMethodsDelete, { id: params.id, caller });
  }
}
