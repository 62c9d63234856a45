import { BackupsEventPayloads } from './backups.js';
import { BillingEventPayloads } from './billing.js';
import { IdentityEventPayloads } from './identity.js';
import { IntegrationsEventPayloads } from './integrations.js';
import { ProvisioningEventPayloads } from './provisioning.js';
import { TenantsEventPayloads } from './tenants.js';
import { validatePayload } from './validation.js';
import { WebhooksEventPayloads } from './webhooks.js';

/**
 * The event catalogue (issue 8): every event type the platform publishes and the one class its
 * `data` must satisfy. Producers are held to it (the outbox refuses an uncatalogued type or data
 * missing a required field), consumers validate with it by default (`@OnEvent(type)`), and the
 * AsyncAPI document is checked against it when generated. Classes are open: fields they do not name
 * are kept, so a field added later never breaks a consumer.
 */
export const EventCatalogue = Object.freeze({
  ...IdentityEventPayloads,
  ...TenantsEventPayloads,
  ...ProvisioningEventPayloads,
  ...BackupsEventPayloads,
  ...BillingEventPayloads,
  ...IntegrationsEventPayloads,
  ...WebhooksEventPayloads,
});

export type CataloguedEventType = keyof typeof EventCatalogue;
/** The `data` of a catalogued event type. */
export type EventData<T extends CataloguedEventType> = InstanceType<(typeof EventCatalogue)[T]>;

/** The payload class of an event type, or undefined for one the catalogue does not have. */
export function eventPayloadClass(type: string): (new () => object) | undefined {
  return Object.hasOwn(EventCatalogue, type) ? (EventCatalogue as Record<string, new () => object>)[type] : undefined;
}

/**
 * What is wrong with an event about to be published: its type is not catalogued, or its data does
 * not satisfy the type's class (a field missing or of the wrong type). Null when it is fine.
 */
export function eventContractViolation(type: string, data: unknown): string | null {
  const cls = eventPayloadClass(type);
  if (!cls) return `"${type}" is not an event type of the catalogue (libs/contracts event-catalogue.ts)`;
  try {
    validatePayload(cls, data, `${type} data`, { unknownFields: 'keep' });
    return null;
  } catch (err) {
    const errors = (err as { errors?: Array<{ field: string; message: string }> }).errors ?? [];
    return `${type} data does not satisfy ${cls.name}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ') || (err as Error).message}`;
  }
}
