import { OmitType } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import {
  CreateWebhookEndpointRequest,
  ListWebhookDeliveriesRequest,
  ListWebhookEndpointsRequest,
  RecoverWebhookEndpointRequest,
  UpdateWebhookEndpointRequest,
} from '@saas/contracts';
import type { ApiPropertyOptions } from '@nestjs/swagger';
import { documented, required, str } from '../../identity/dto/documented.js';

const endpointFields: Record<'url' | 'description' | 'event_types' | 'enabled' | 'rate_limit' | 'headers', ApiPropertyOptions> = {
  url: str('Where events are POSTed: http(s), no credentials; https in production; public addresses only.', { format: 'uri' }),
  description: str('Free text.'),
  event_types: { type: [String], isArray: true, description: 'Event types to send: exact (`tenant.ready`), per aggregate (`tenant.*`) or `*`; empty = all.' } as ApiPropertyOptions,
  enabled: { type: Boolean, description: 'A disabled endpoint receives nothing (its queued messages wait).' } as ApiPropertyOptions,
  rate_limit: { type: Number, nullable: true, minimum: 1, description: 'Requests per second at most.' } as ApiPropertyOptions,
  headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra request headers (not `webhook-*`, `content-type`, `host` or hop-by-hop ones).' } as ApiPropertyOptions,
};

/** The webhooks contract's request classes minus what the gateway fills in (caller, id). */
export class CreateEndpointBody extends OmitType(CreateWebhookEndpointRequest, ['caller'] as const) {}
documented(CreateEndpointBody, {
  ...endpointFields,
  url: required(endpointFields.url),
  tenant_id: str('Owning tenant (its owner or admins). Absent: a platform endpoint (admins) that receives every tenant’s events.', { format: 'uuid' }),
});

export class UpdateEndpointBody extends OmitType(UpdateWebhookEndpointRequest, ['caller', 'id'] as const) {}
documented(UpdateEndpointBody, endpointFields);

export class ListEndpointsQuery extends OmitType(ListWebhookEndpointsRequest, ['caller'] as const) {}
export class ListDeliveriesQuery extends OmitType(ListWebhookDeliveriesRequest, ['caller'] as const) {}

export class RecoverBody extends OmitType(RecoverWebhookEndpointRequest, ['caller', 'id'] as const) {}
documented(RecoverBody, {
  since: required(str('Failed deliveries of events from this time on are sent again.', { format: 'date-time' })),
  until: str('…up to this time (default: now).', { format: 'date-time' }),
});

export class WebhookIdParams {
  @IsUUID()
  id!: string;
}
