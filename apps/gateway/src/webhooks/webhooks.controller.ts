import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  WebhookDeliveryStatuses,
  WebhooksRpc,
  type CallerDto,
  type CreatedWebhookEndpointView,
  type Page,
  type RotatedWebhookSecretView,
  type WebhookDeliveryView,
  type WebhookEndpointView,
  type WebhookEventTypeView,
  type WebhookRecoverResult } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller } from '../auth/auth.decorators.js';
import { ApiListQuery, Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { CreateEndpointBody, ListDeliveriesQuery, ListEndpointsQuery, RecoverBody, UpdateEndpointBody, WebhookIdParams } from './dto/webhooks.dto.js';
import { ApiPageResponse, ApiResult } from '../http/api-result.js';
import { CreatedWebhookEndpointViewDto, RotatedWebhookSecretViewDto, WebhookDeliveryViewDto, WebhookEndpointViewDto, WebhookEventTypeViewDto, WebhookRecoverResultDto } from './dto/webhooks.views.js';

const uuidParam = () => ApiParam({ name: 'id', format: 'uuid' });

/**
 * `/api/v1/webhooks`: outgoing webhooks (Standard Webhooks). The webhooks service authorizes: a
 * tenant's endpoints are its owner's and admins' (someone else's is a 404, a plain member gets 403),
 * platform endpoints are admins'.
 */
@ApiTags('webhooks')
@ApiAuth()
@ApiProblems(400, 401, 403, 404, 429, 503, 504)
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
  ) {}

  @Get('endpoints')
  @ApiOperation({ summary: 'Endpoints of a tenant (`tenant_id=`; admins without it: every endpoint).', operationId: 'webhooks.endpoints.list' })
  @ApiListQuery({ search: true, ordering: ['created_at', 'updated_at', 'url'] })
  @ApiQuery({ name: 'tenant_id', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'enabled', required: false, schema: { type: 'boolean' } })
  @ApiPageResponse(WebhookEndpointViewDto, 'A page of endpoints (never their secrets).')
  async list(@Query() query: ListEndpointsQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<WebhookEndpointView>> {
    return this.paginator.toPage(await this.rpc.call(WebhooksRpc.endpointsList, { ...query, caller }), query, request);
  }

  @Post('endpoints')
  @Idempotent()
  @ApiOperation({ summary: 'Register an endpoint. The answer carries its signing secret (`whsec_…`), this once. A tenant has at most its plan’s `webhook_endpoints` (409 WEBHOOK_ENDPOINT_LIMIT_EXCEEDED).', operationId: 'webhooks.endpoints.create' })
  @ApiResult(CreatedWebhookEndpointViewDto, { description: 'The endpoint, with `secret`.' })
  create(@Body() body: CreateEndpointBody, @Caller() caller: CallerDto): Promise<CreatedWebhookEndpointView> {
    return this.rpc.call(WebhooksRpc.endpointsCreate, { ...body, caller });
  }

  @Get('endpoints/:id')
  @uuidParam()
  @ApiOperation({ summary: 'One endpoint (never its secret).', operationId: 'webhooks.endpoints.get' })
  @ApiResult(WebhookEndpointViewDto, { description: 'The endpoint.' })
  get(@Param() params: WebhookIdParams, @Caller() caller: CallerDto): Promise<WebhookEndpointView> {
    return this.rpc.call(WebhooksRpc.endpointsGet, { id: params.id, caller });
  }

  @Put('endpoints/:id')
  @uuidParam()
  @ApiOperation({ summary: 'Change an endpoint (the fields given). `enabled: true` re-enables a disabled one.', operationId: 'webhooks.endpoints.update' })
  @ApiResult(WebhookEndpointViewDto, { description: 'The endpoint.' })
  update(@Param() params: WebhookIdParams, @Body() body: UpdateEndpointBody, @Caller() caller: CallerDto): Promise<WebhookEndpointView> {
    return this.rpc.call(WebhooksRpc.endpointsUpdate, { ...body, id: params.id, caller });
  }

  @Delete('endpoints/:id')
  @HttpCode(200)
  @uuidParam()
  @ApiOperation({ summary: 'Delete an endpoint and its delivery log.', operationId: 'webhooks.endpoints.delete' })
  @ApiResult(WebhookEndpointViewDto, { description: 'The deleted endpoint.' })
  remove(@Param() params: WebhookIdParams, @Caller() caller: CallerDto): Promise<WebhookEndpointView> {
    return this.rpc.call(WebhooksRpc.endpointsDelete, { id: params.id, caller });
  }

  @Post('endpoints/:id/rotate-secret')
  @HttpCode(200)
  @uuidParam()
  @ApiOperation({ summary: 'A new secret (shown once); the old one keeps signing alongside it for the grace period.', operationId: 'webhooks.endpoints.rotate_secret' })
  @ApiResult(RotatedWebhookSecretViewDto, { description: 'The new secret and when the old one stops signing.' })
  rotateSecret(@Param() params: WebhookIdParams, @Caller() caller: CallerDto): Promise<RotatedWebhookSecretView> {
    return this.rpc.call(WebhooksRpc.endpointsRotateSecret, { id: params.id, caller });
  }

  @Post('endpoints/:id/test')
  @HttpCode(202)
  @uuidParam()
  @ApiOperation({ summary: 'Send a `webhook.test` message to this endpoint (queued like any other).', operationId: 'webhooks.endpoints.test' })
  @ApiResult(WebhookDeliveryViewDto, { description: 'The queued delivery; follow it in `GET webhooks/deliveries`.' })
  @ApiProblems(409)
  test(@Param() params: WebhookIdParams, @Caller() caller: CallerDto): Promise<WebhookDeliveryView> {
    return this.rpc.call(WebhooksRpc.endpointsTest, { id: params.id, caller });
  }

  @Post('endpoints/:id/recover')
  @HttpCode(202)
  @uuidParam()
  @ApiOperation({ summary: 'Send again every failed message of the endpoint since a time (same webhook-id).', operationId: 'webhooks.endpoints.recover' })
  @ApiResult(WebhookRecoverResultDto, { description: 'How many deliveries were queued again.' })
  recover(@Param() params: WebhookIdParams, @Body() body: RecoverBody, @Caller() caller: CallerDto): Promise<WebhookRecoverResult> {
    return this.rpc.call(WebhooksRpc.endpointsRecover, { ...body, id: params.id, caller });
  }

  @Get('event-types')
  @ApiOperation({ summary: 'Every event type an endpoint can subscribe to, with the JSON schema of its `data` where catalogued.', operationId: 'webhooks.event_types.list' })
  @ApiPageResponse(WebhookEventTypeViewDto, 'The catalogue.')
  async eventTypes(@Req() request: FastifyRequest): Promise<Page<WebhookEventTypeView>> {
    const result = await this.rpc.call(WebhooksRpc.eventTypes, {});
    return this.paginator.toPage(result, { page: 1, page_size: Math.max(1, result.count) }, request);
  }

  @Get('deliveries')
  @ApiOperation({ summary: 'Delivery log with attempts (filters: endpoint_id or tenant_id, event_type, status, date_from, date_to).', operationId: 'webhooks.deliveries.list' })
  @ApiListQuery({ ordering: ['created_at', 'occurred_at', 'status', 'event_type'] })
  @ApiQuery({ name: 'endpoint_id', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'tenant_id', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'event_type', required: false, type: String })
  @ApiQuery({ name: 'status', required: false, enum: WebhookDeliveryStatuses })
  @ApiQuery({ name: 'date_from', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'date_to', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiPageResponse(WebhookDeliveryViewDto, 'A page of deliveries, each with its attempts (time, status code, latency, response snippet, error).')
  async deliveries(@Query() query: ListDeliveriesQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<WebhookDeliveryView>> {
    return this.paginator.toPage(await this.rpc.call(WebhooksRpc.deliveriesList, { ...query, caller }), query, request);
  }

  @Post('deliveries/:id/retry')
  @HttpCode(202)
  @uuidParam()
  @ApiOperation({ summary: 'Send a delivery again now (same webhook-id).', operationId: 'webhooks.deliveries.retry' })
  @ApiResult(WebhookDeliveryViewDto, { description: 'The delivery, pending.' })
  retry(@Param() params: WebhookIdParams, @Caller() caller: CallerDto): Promise<WebhookDeliveryView> {
    return this.rpc.call(WebhooksRpc.deliveriesRetry, { id: params.id, caller });
  }
}
