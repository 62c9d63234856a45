import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  IntegrationEventStatuses,
  IntegrationsRpc,
  type CallerDto,
  type IntegrationEventView,
  type IntegrationReceiveResult,
  type IntegrationsHealthView,
  type Page,
  type ProviderView } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller, Public, Roles } from '../auth/auth.decorators.js';
import { ApiListQuery, Paginator } from '../http/list.js';
import { ApiProblems } from '../http/openapi.js';
import { CreateProviderBody, IntegrationIdParams, ListIntegrationEventsQuery, ListProvidersQuery, ProviderPathParams, UpdateProviderBody } from './dto/integrations.dto.js';
import { rawBodyOf } from './raw-body.js';
import { ApiPageResponse, ApiResult } from '../http/api-result.js';
import { IntegrationEventViewDto, IntegrationReceiveResultDto, IntegrationsHealthViewDto, ProviderViewDto } from './dto/integrations.views.js';

/** Headers a provider's signature scheme may need; nothing else is forwarded. */
const SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'stripe-signature', 'x-signature', 'x-event-id'];

/** `/api/v1/integrations`: inbound provider webhooks (public, signature-verified) and their administration (admins). */
@ApiTags('integrations')
@ApiProblems(400, 401, 403, 404, 429, 503, 504)
@Controller('api/v1/integrations')
export class IntegrationsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly paginator: Paginator,
  ) {}

  @Public()
  @Post('webhooks/:provider')
  @HttpCode(200)
  @ApiParam({ name: 'provider', description: 'Provider name (or id).' })
  @ApiBody({ description: 'The provider’s event, JSON, exactly as signed.', schema: { type: 'object', additionalProperties: true } })
  @ApiOperation({
    summary: 'A provider’s webhook (no JWT: its signature is the credential). Stored once per event id; a repeat answers 200 and does nothing.',
    operationId: 'integrations.webhooks.receive',
  })
  @ApiResult(IntegrationReceiveResultDto, { description: '`{ received, duplicate, id }`.' })
  @ApiProblems(413, 415)
  receive(@Param() params: ProviderPathParams, @Req() request: FastifyRequest): Promise<IntegrationReceiveResult> {
    const headers: Record<string, string> = {};
    for (const name of SIGNATURE_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    return this.rpc.call(IntegrationsRpc.receive, { provider: params.provider, raw_body: rawBodyOf(request), headers, source_ip: request.ip });
  }

  @Get('providers')
  @ApiAuth()
  @Roles('admin')
  @ApiListQuery({ search: true, ordering: ['name', 'created_at'] })
  @ApiOperation({ summary: 'Integration providers (admins). Secrets are never returned.', operationId: 'integrations.providers.list' })
  @ApiPageResponse(ProviderViewDto, 'A page of providers.')
  async listProviders(@Query() query: ListProvidersQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<ProviderView>> {
    return this.paginator.toPage(await this.rpc.call(IntegrationsRpc.providersList, { ...query, caller }), query, request);
  }

  @Post('providers')
  @ApiAuth()
  @Roles('admin')
  @ApiOperation({ summary: 'Register a provider (admins).', operationId: 'integrations.providers.create' })
  @ApiResult(ProviderViewDto, { description: 'The provider (`secret_key_set`, never the secret).' })
  @ApiProblems(409)
  createProvider(@Body() body: CreateProviderBody, @Caller() caller: CallerDto): Promise<ProviderView> {
    return this.rpc.call(IntegrationsRpc.providersCreate, { ...body, caller });
  }

  @Get('providers/:id')
  @ApiAuth()
  @Roles('admin')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'One provider (admins).', operationId: 'integrations.providers.get' })
  @ApiResult(ProviderViewDto, { description: 'The provider.' })
  getProvider(@Param() params: IntegrationIdParams, @Caller() caller: CallerDto): Promise<ProviderView> {
    return this.rpc.call(IntegrationsRpc.providersGet, { id: params.id, caller });
  }

  @Put('providers/:id')
  @ApiAuth()
  @Roles('admin')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Change a provider (the fields given; admins).', operationId: 'integrations.providers.update' })
  @ApiResult(ProviderViewDto, { description: 'The provider.' })
  @ApiProblems(409)
  updateProvider(@Param() params: IntegrationIdParams, @Body() body: UpdateProviderBody, @Caller() caller: CallerDto): Promise<ProviderView> {
    return this.rpc.call(IntegrationsRpc.providersUpdate, { ...body, id: params.id, caller });
  }

  @Delete('providers/:id')
  @ApiAuth()
  @Roles('admin')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Delete a provider and its stored events (admins).', operationId: 'integrations.providers.delete' })
  @ApiResult(ProviderViewDto, { description: 'The deleted provider.' })
  deleteProvider(@Param() params: IntegrationIdParams, @Caller() caller: CallerDto): Promise<ProviderView> {
    return this.rpc.call(IntegrationsRpc.providersDelete, { id: params.id, caller });
  }

  @Get('events')
  @ApiAuth()
  @Roles('admin')
  @ApiListQuery({ ordering: ['received_at', 'type', 'status'] })
  @ApiQuery({ name: 'provider', required: false, type: String })
  @ApiQuery({ name: 'type', required: false, type: String })
  @ApiQuery({ name: 'status', required: false, enum: IntegrationEventStatuses })
  @ApiQuery({ name: 'date_from', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'date_to', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiOperation({ summary: 'Inbound events (admins): filters provider, type, status, date range.', operationId: 'integrations.events.list' })
  @ApiPageResponse(IntegrationEventViewDto, 'A page of events.')
  async listEvents(@Query() query: ListIntegrationEventsQuery, @Caller() caller: CallerDto, @Req() request: FastifyRequest): Promise<Page<IntegrationEventView>> {
    return this.paginator.toPage(await this.rpc.call(IntegrationsRpc.eventsList, { ...query, caller }), query, request);
  }

  @Post('events/:id/retry')
  @ApiAuth()
  @Roles('admin')
  @HttpCode(202)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Publish an event again (admins).', operationId: 'integrations.events.retry' })
  @ApiResult(IntegrationEventViewDto, { description: 'The event, `received` until it is published.' })
  retryEvent(@Param() params: IntegrationIdParams, @Caller() caller: CallerDto): Promise<IntegrationEventView> {
    return this.rpc.call(IntegrationsRpc.eventsRetry, { id: params.id, caller });
  }

  @Get('health')
  @ApiAuth()
  @Roles('admin')
  @ApiOperation({ summary: 'Each active provider’s API health (healthy, degraded, down; response time, last check) and the overall status.', operationId: 'integrations.health.get' })
  @ApiResult(IntegrationsHealthViewDto, { description: 'Overall status and each provider’s.' })
  health(@Caller() caller: CallerDto): Promise<IntegrationsHealthView> {
    return this.rpc.call(IntegrationsRpc.health, { caller });
  }
}
