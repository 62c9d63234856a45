import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import * as contracts from '@saas/contracts';
import { EventTypes, IdentityEventTypes, jsonSchemaOf, WEBHOOK_TEST_EVENT_TYPE, WebhooksRpc, type ListResult, type WebhookEventTypeView } from '@saas/contracts';

type PayloadMap = Record<string, new () => object>;

/**
 * Every catalogued event type an endpoint can subscribe to, with the JSON schema of its `data` where
 * the contracts have a payload class: the `<Area>EventPayloads` maps of libs/contracts, aggregated
 * here by name so each area's map is picked up once it exists.
 */
function catalogue(): WebhookEventTypeView[] {
  const payloads: PayloadMap = {};
  for (const [name, value] of Object.entries(contracts)) {
    if (name.endsWith('EventPayloads') && value && typeof value === 'object') Object.assign(payloads, value);
  }
  const types = [...new Set<string>([...Object.values(EventTypes), ...Object.values(IdentityEventTypes), WEBHOOK_TEST_EVENT_TYPE])].sort();
  return types.map((type) => ({ type, schema: payloads[type] ? jsonSchemaOf(payloads[type]) : null }));
}

@Controller()
export class EventTypesController {
  private readonly types = catalogue();

  @MessagePattern(WebhooksRpc.eventTypes)
  list(): ListResult<WebhookEventTypeView> {
    return { count: this.types.length, results: this.types };
  }
}
