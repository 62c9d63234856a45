import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { BillingRpc, type CallerDto, type Page, type SubscriptionChangePreview, type SubscriptionView } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller, Roles } from '../auth/auth.decorators.js';
import { ApiListQuery, Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import {
  AddSeatBody,
  AdvanceClockBody,
  CancelSubscriptionQuery,
  CreateSubscriptionBody,
  IdParams,
  ListSubscriptionsQuery,
  PreviewChangeBody,
  SeatParams,
  SubscriptionClockParams,
  UpdateSubscriptionBody,
} from './dto/billing.dto.js';
import { ApiPageResponse, ApiResult } from '../http/api-result.js';
import { SeatViewDto, SubscriptionChangePreviewDto, SubscriptionViewDto } from './dto/billing.views.js';

/**
 * `/api/v1/billing/subscriptions`: authorization is the billing service's (someone else's
 * subscription is a 404, a member without the tenant admin role a 403).
 */
@ApiTags('billing')
@ApiAuth()
@ApiProblems(400, 401, 403, 404, 429, 503, 504)
@Controller('api/v1/billing')
export class SubscriptionsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
  ) {}

  @Get('subscriptions')
  @ApiOperation({ summary: 'Subscriptions of the caller’s tenants (admins: all); filters tenant_id, status.', operationId: 'billing.subscriptions.list' })
  @ApiListQuery({ ordering: ['created_at', 'updated_at', 'current_period_end', 'plan', 'status'] })
  @ApiPageResponse(SubscriptionViewDto)
  async list(@Query() query: ListSubscriptionsQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<SubscriptionView>> {
    return this.paginator.toPage(await this.rpc.call(BillingRpc.subscriptionsList, { ...query, caller }), query, request);
  }

  @Post('subscriptions')
  @Idempotent()
  @ApiOperation({ summary: 'Subscribe a tenant that has no live subscription (a trial on paid plans; plans without one are charged at once).', operationId: 'billing.subscriptions.create' })
  @ApiResult(SubscriptionViewDto, { description: 'The subscription.' })
  @ApiProblems(402, 409)
  create(@Body() body: CreateSubscriptionBody, @Caller() caller: CallerDto): Promise<SubscriptionView> {
    return this.rpc.call(BillingRpc.subscriptionsCreate, { ...body, caller });
  }

  @Get('subscriptions/:id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'A subscription with its seats (seed 004 fields).', operationId: 'billing.subscriptions.get' })
  @ApiResult(SubscriptionViewDto, { description: 'The subscription.' })
  get(@Param() params: IdParams, @Caller() caller: CallerDto): Promise<SubscriptionView> {
    return this.rpc.call(BillingRpc.subscriptionsGet, { id: params.id, caller });
  }

  @Put('subscriptions/:id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'Change plan, seats or cycle (prorated: upgrades now, downgrades at the period end), payment method, country or cancel_at_period_end. Send `preview_id` to confirm a preview.',
    operationId: 'billing.subscriptions.update',
  })
  @ApiResult(SubscriptionViewDto, { description: 'The subscription after the change.' })
  @ApiProblems(402, 409)
  update(@Param() params: IdParams, @Body() body: UpdateSubscriptionBody, @Caller() caller: CallerDto): Promise<SubscriptionView> {
    return this.rpc.call(BillingRpc.subscriptionsUpdate, { ...body, id: params.id, caller });
  }

  @Post('subscriptions/:id/preview')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'The exact amounts (credit, charge, tax, due now) of a change, before it is made; confirm with PUT and its preview_id.', operationId: 'billing.subscriptions.preview' })
  @ApiResult(SubscriptionChangePreviewDto, { description: 'The preview.' })
  @ApiProblems(409)
  preview(@Param() params: IdParams, @Body() body: PreviewChangeBody, @Caller() caller: CallerDto): Promise<SubscriptionChangePreview> {
    return this.rpc.call(BillingRpc.subscriptionsPreview, { ...body, id: params.id, caller });
  }

  @Delete('subscriptions/:id')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Cancel now (open invoices are voided) or, with `at_period_end=true`, when the period ends.', operationId: 'billing.subscriptions.delete' })
  @ApiResult(SubscriptionViewDto, { description: 'The subscription.' })
  cancel(@Param() params: IdParams, @Query() query: CancelSubscriptionQuery, @Caller() caller: CallerDto): Promise<SubscriptionView> {
    return this.rpc.call(BillingRpc.subscriptionsCancel, { ...query, id: params.id, caller });
  }

  @Get('subscriptions/:id/users')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Users holding the subscription’s seats.', operationId: 'billing.subscriptions.users.list' })
  @ApiPageResponse(SeatViewDto)
  async seats(@Param() params: IdParams, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<SeatViewDto>> {
    const result = await this.rpc.call(BillingRpc.seatsList, { id: params.id, caller });
    return this.paginator.toPage(result, { page: 1, page_size: Math.max(1, result.count) }, request);
  }

  @Post('subscriptions/:id/users')
  @Idempotent()
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Give a user a seat; beyond max_users → 409 SEAT_LIMIT_REACHED.', operationId: 'billing.subscriptions.users.create' })
  @ApiResult(SubscriptionViewDto, { description: 'The subscription with the seat.' })
  @ApiProblems(409)
  addSeat(@Param() params: IdParams, @Body() body: AddSeatBody, @Caller() caller: CallerDto): Promise<SubscriptionView> {
    return this.rpc.call(BillingRpc.seatsAdd, { ...body, id: params.id, caller });
  }

  @Delete('subscriptions/:id/users/:user_id')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'user_id', format: 'uuid' })
  @ApiOperation({ summary: 'Free a user’s seat.', operationId: 'billing.subscriptions.users.delete' })
  @ApiResult(SubscriptionViewDto)
  removeSeat(@Param() params: SeatParams, @Caller() caller: CallerDto): Promise<SubscriptionView> {
    return this.rpc.call(BillingRpc.seatsRemove, { id: params.id, user_id: params.user_id, caller });
  }

  @Post('test-clocks/:subscription_id/advance')
  @HttpCode(200)
  @Roles('admin')
  @ApiParam({ name: 'subscription_id', format: 'uuid' })
  @ApiOperation({
    summary: 'Sandbox only (admins): move one subscription’s time ahead and run what became due — trial end, renewals, dunning retries, suspension.',
    operationId: 'billing.test-clocks.advance',
  })
  @ApiResult(SubscriptionViewDto, { description: 'The subscription after the move.' })
  advance(@Param() params: SubscriptionClockParams, @Body() body: AdvanceClockBody, @Caller() caller: CallerDto): Promise<SubscriptionView> {
    return this.rpc.call(BillingRpc.testClockAdvance, { ...body, subscription_id: params.subscription_id, caller }, { timeoutMs: 30_000 });
  }
}
