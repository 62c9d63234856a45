import { WebhookAttempt } from './delivery/webhook-attempt.entity.js';
import { WebhookDelivery } from './delivery/webhook-delivery.entity.js';
import { WebhookEndpoint } from './endpoints/webhook-endpoint.entity.js';
import { IntegrationEvent } from './integrations/integration-event.entity.js';
import { IntegrationProvider } from './integrations/integration-provider.entity.js';
import { TenantContact } from './notifications/tenant-contact.entity.js';

/** Entities of the webhooks schema (the messaging tables are added by the service kit). */
export const webhooksEntities = [WebhookEndpoint, WebhookDelivery, WebhookAttempt, IntegrationProvider, IntegrationEvent, TenantContact];
