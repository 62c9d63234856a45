import { Inject, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { Logger } from 'pino';
import { createMailer, Mailer, SeamsModule, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { WebhooksConfig } from './config.js';
import { DeliveriesController } from './delivery/deliveries.controller.js';
import { DeliveriesService } from './delivery/deliveries.service.js';
import { DeliveryFanout } from './delivery/delivery-fanout.js';
import { DeliveryQueue } from './delivery/delivery-queue.js';
import { DeliveryRetention } from './delivery/delivery-retention.js';
import { DeliveryWorker } from './delivery/delivery-worker.js';
import { LeaseOwner } from './delivery/lease-owner.js';
import { senderThreadEntry, ThreadedWebhookSender } from './delivery/threaded-sender.js';
import { HttpWebhookSender, WebhookSender } from './delivery/webhook-sender.js';
import { EndpointAccess } from './endpoints/endpoint-access.js';
import { EndpointSecrets } from './endpoints/endpoint-secrets.js';
import { EndpointStatus } from './endpoints/endpoint-status.js';
import { EndpointsController } from './endpoints/endpoints.controller.js';
import { EndpointsService } from './endpoints/endpoints.service.js';
import { EventTypesController } from './event-types/event-types.controller.js';
import { IntegrationEventsService } from './integrations/integration-events.service.js';
import { IntegrationsController } from './integrations/integrations.controller.js';
import { ProviderHealth } from './integrations/provider-health.js';
import { ProvidersService } from './integrations/providers.service.js';
import { EndpointDisabledNotice } from './notifications/endpoint-disabled-notice.js';
import { TenantContacts } from './notifications/tenant-contacts.js';

/** The webhooks service: endpoints, the delivery queue fed by every event, its workers, mails about disabled endpoints; inbound integrations. */
@Module({
  imports: [SeamsModule, ScheduleModule.forRoot()],
  controllers: [EndpointsController, DeliveriesController, EventTypesController, IntegrationsController],
  providers: [
    EndpointAccess,
    EndpointSecrets,
    EndpointStatus,
    EndpointsService,
    DeliveryQueue,
    DeliveryFanout,
    DeliveryWorker,
    LeaseOwner,
    DeliveryRetention,
    DeliveriesService,
    ProvidersService,
    IntegrationEventsService,
    ProviderHealth,
    TenantContacts,
    EndpointDisabledNotice,
    { provide: Mailer, inject: [SERVICE_CONFIG, SERVICE_LOGGER], useFactory: (config: WebhooksConfig, logger: Logger) => createMailer(config, logger) },
    {
      provide: WebhookSender,
      inject: [SERVICE_CONFIG, SERVICE_LOGGER],
      useFactory: (config: WebhooksConfig, logger: Logger) => {
        const options = {
          timeoutMs: config.WEBHOOK_TIMEOUT_MS,
          connectTimeoutMs: config.WEBHOOK_CONNECT_TIMEOUT_MS,
          allowPrivateNetworks: config.WEBHOOKS_ALLOW_PRIVATE_NETWORKS,
        };
        if (config.WEBHOOK_SENDER_THREADS === 0) return new HttpWebhookSender(options);
        const entry = senderThreadEntry();
        if (!entry) {
          logger.warn('the webhook sender thread is not built; sending on the main thread');
          return new HttpWebhookSender(options);
        }
        return new ThreadedWebhookSender(entry, { ...options, threads: config.WEBHOOK_SENDER_THREADS }, logger);
      },
    },
  ],
})
export class AppModule {
  constructor(@Inject(WebhookSender) private readonly sender: WebhookSender) {}

  onApplicationShutdown(): void | Promise<void> {
    return this.sender.close();
  }
}
