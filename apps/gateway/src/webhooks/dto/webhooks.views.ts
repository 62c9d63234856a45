import {
  EventTypes,
  WebhookDeliveryStatuses,
  type CreatedWebhookEndpointView,
  type RotatedWebhookSecretView,
  type WebhookAttemptView,
  type WebhookDeliveryStatus,
  type WebhookDeliveryView,
  type WebhookEndpointView,
  type WebhookEventTypeView,
  type WebhookRecoverResult,
} from '@saas/contracts';
import { Bool, DateTime, FreeObject, Int, NestedList, NullableDateTime, NullableInt, NullableStr, NullableUuid, OneOf, Str, StrList, StrMap, Uuid } from '../../http/view-properties.js';

/** `WebhookEndpointView` (libs/contracts/src/webhooks.ts): never the secret. */
export class WebhookEndpointViewDto implements WebhookEndpointView {
  @Uuid() id!: string;
  @NullableUuid('null: a platform endpoint (admins).') tenant_id!: string | null;
  @Str(undefined, { format: 'uri', example: 'https://example.com/hooks/saas' }) url!: string;
  @Str() description!: string;
  @StrList('Event types it receives (`*` for all).') event_types!: string[];
  @Bool() enabled!: boolean;
  @NullableStr() disabled_reason!: string | null;
  @NullableDateTime() disabled_at!: string | null;
  @NullableInt('Requests per second at most.') rate_limit!: number | null;
  @StrMap('Extra headers sent with every request.') headers!: Record<string, string>;
  @Str('The first characters of the secret, to tell secrets apart.', { example: 'whsec_Mf' }) secret_hint!: string;
  @NullableDateTime() secret_rotated_at!: string | null;
  @NullableDateTime() failing_since!: string | null;
  @Int() consecutive_failures!: number;
  @DateTime() created_at!: string;
  @DateTime() updated_at!: string;
}

export class CreatedWebhookEndpointViewDto extends WebhookEndpointViewDto implements CreatedWebhookEndpointView {
  @Str('The signing secret, shown this once.', { example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) secret!: string;
}

export class RotatedWebhookSecretViewDto implements RotatedWebhookSecretView {
  @Uuid() id!: string;
  @Str('The new secret, shown this once.') secret!: string;
  @DateTime('Until then requests carry a signature with the old secret too.') previous_secret_expires_at!: string;
}

export class WebhookAttemptViewDto implements WebhookAttemptView {
  @DateTime() attempted_at!: string;
  @NullableInt() status_code!: number | null;
  @Int() latency_ms!: number;
  @NullableStr() response_snippet!: string | null;
  @NullableStr() error!: string | null;
}

export class WebhookDeliveryViewDto implements WebhookDeliveryView {
  @Uuid() id!: string;
  @Str('The `webhook-id` header of every request of this message.') webhook_id!: string;
  @Uuid() endpoint_id!: string;
  @NullableUuid() tenant_id!: string | null;
  @Uuid() event_id!: string;
  @Str(undefined, { example: EventTypes.TenantCreated }) event_type!: string;
  @OneOf(WebhookDeliveryStatuses) status!: WebhookDeliveryStatus;
  @Int() attempts_count!: number;
  @NullableDateTime() next_attempt_at!: string | null;
  @NullableInt() last_status_code!: number | null;
  @DateTime() occurred_at!: string;
  @DateTime() created_at!: string;
  @NullableDateTime() completed_at!: string | null;
  @NestedList(WebhookAttemptViewDto) attempts!: WebhookAttemptViewDto[];
}

export class WebhookRecoverResultDto implements WebhookRecoverResult {
  @Uuid() endpoint_id!: string;
  @Int('Failed deliveries queued again.') requeued!: number;
}

export class WebhookEventTypeViewDto implements WebhookEventTypeView {
  @Str(undefined, { example: EventTypes.TenantCreated }) type!: string;
  @FreeObject('JSON schema of `data`, where the contract has a payload class.', true) schema!: Record<string, unknown> | null;
}
