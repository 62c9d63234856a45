import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CreateProviderRequest,
  IntegrationEventRefRequest,
  IntegrationsHealthRequest,
  IntegrationsRpc,
  ListIntegrationEventsRequest,
  ListProvidersRequest,
  ProviderRefRequest,
  ReceiveIntegrationWebhookRequest,
  UpdateProviderRequest,
  type IntegrationEventView,
  type IntegrationReceiveResult,
  type IntegrationsHealthView,
  type ListResult,
  type ProviderView,
} from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { IntegrationEventsService } from './integration-events.service.js';
import { ProviderHealth } from './provider-health.js';
import { ProvidersService } from './providers.service.js';

@Controller()
export class IntegrationsController {
  constructor(
    private readonly providers: ProvidersService,
    private readonly events: IntegrationEventsService,
    private readonly health: ProviderHealth,
  ) {}

  @RpcHandler(IntegrationsRpc.providersCreate)
  create(@Payload() req: CreateProviderRequest): Promise<ProviderView> {
    return this.providers.create(req);
  }

  @RpcHandler(IntegrationsRpc.providersList)
  list(@Payload() req: ListProvidersRequest): Promise<ListResult<ProviderView>> {
    return this.providers.list(req);
  }

  @RpcHandler(IntegrationsRpc.providersGet)
  get(@Payload() req: ProviderRefRequest): Promise<ProviderView> {
    return this.providers.get(req);
  }

  @RpcHandler(IntegrationsRpc.providersUpdate)
  update(@Payload() req: UpdateProviderRequest): Promise<ProviderView> {
    return this.providers.update(req);
  }

  @RpcHandler(IntegrationsRpc.providersDelete)
  remove(@Payload() req: ProviderRefRequest): Promise<ProviderView> {
    return this.providers.remove(req);
  }

  @RpcHandler(IntegrationsRpc.receive)
  receive(@Payload() req: ReceiveIntegrationWebhookRequest): Promise<IntegrationReceiveResult> {
    return this.events.receive(req);
  }

  @RpcHandler(IntegrationsRpc.eventsList)
  listEvents(@Payload() req: ListIntegrationEventsRequest): Promise<ListResult<IntegrationEventView>> {
    return this.events.list(req);
  }

  @RpcHandler(IntegrationsRpc.eventsRetry)
  retry(@Payload() req: IntegrationEventRefRequest): Promise<IntegrationEventView> {
    return this.events.retry(req);
  }

  @RpcHandler(IntegrationsRpc.health)
  healthOverview(@Payload() req: IntegrationsHealthRequest): Promise<IntegrationsHealthView> {
    return this.health.overview(req);
  }
}
