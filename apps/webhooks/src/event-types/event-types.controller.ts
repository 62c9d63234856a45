import { Controller } from '@nestjs/common';
import { EventCatalogue, eventPayloadClass, jsonSchemaOf, WEBHOOK_TEST_EVENT_TYPE, WebhooksRpc, type ListResult, type WebhookEventTypeView } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';

/**
 * Every catalogued event type an endpoint can subscribe to, with the JSON schema of its `data` (the
 * event catalogue's class), and `webhook.test`, which only `POST …/test` sends.
 */
function catalogue(): WebhookEventTypeView[] {
  const types = [...Object.keys(EventCatalogue), WEBHOOK_TEST_EVENT_TYPE].sort();
  return types.map((type) => {
    const cls = eventPayloadClass(type);
    return { type, schema: cls ? jsonSchemaOf(cls) : null };
  });
}

@Controller()
export class EventTypesController {
  private readonly types = catalogue();

  @RpcHandler(WebhooksRpc.eventTypes)
  list(): ListResult<WebhookEventTypeView> {
    return { count: this.types.length, results: this.types };
  }
}
