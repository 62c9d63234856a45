import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
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

  @MessagePattern(IntegrationsRpc.providersCreate)
  create(@Payload() req: CreateProviderRequest): Promise<ProviderView> {
    return this.providers.create(req);
  }

  @MessagePattern(IntegrationsRpc.providersList)
  list(@Payload() req: ListProvidersRequest): Promise<ListResult<ProviderView>> {
    return this.providers.list(req);
  }

  @MessagePattern(IntegrationsRpc.providersGet)
  get(@Payload() req: ProviderRefRequest): Promise<ProviderView> {
    return this.providers.get(req);
  }

  @MessagePattern(IntegrationsRpc.providersUpdate)
  update(@Payload() req: UpdateProviderRequest): Promise<ProviderView> {
    return this.providers.update(req);
  }

  @MessagePattern(IntegrationsRpc.providersDelete)
  remove(@Payload() req: ProviderRefRequest): Promise<ProviderView> {
    return this.providers.remove(req);
  }

  @MessagePattern(IntegrationsRpc.receive)
  receive(@Payload() req: ReceiveIntegrationWebhookRequest): Promise<IntegrationReceiveResult> {
    return this.events.receive(req);
  }

  @MessagePattern(IntegrationsRpc.eventsList)
  listEvents(@Payload() req: ListIntegrationEventsRequest): Promise<ListResult<IntegrationEventView>> {
    return this.events.list(req);
  }

  @MessagePattern(IntegrationsRpc.eventsRetry)
  retry(@Payload() req: IntegrationEventRefRequest): Promise<IntegrationEventView> {
    return this.events.retry(req);
  }

  @MessagePattern(IntegrationsRpc.health)
  healthOverview(@Payload() req: IntegrationsHealthRequest): Promise<IntegrationsHealthView> {
    return this.health.overview(req);
  }
}
