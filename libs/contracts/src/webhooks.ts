import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CallerDto } from './caller.js';
import { IsOmittable } from './validation.js';
import { ListQueryDto } from './list.js';
import { EventTypes } from './subjects.js';

/**
 * RPC subjects of the webhooks service (outgoing webhooks). The gateway forwards the caller; the
 * service authorizes (tenant endpoints through `TenantsRpc.access`, platform endpoints: admins).
 */
export const WebhooksRpc = Object.freeze({
  endpointsCreate: 'rpc.webhooks.endpoints.create',
  endpointsList: 'rpc.webhooks.endpoints.list',
  endpointsGet: 'rpc.webhooks.endpoints.get',
  endpointsUpdate: 'rpc.webhooks.endpoints.update',
  endpointsDelete: 'rpc.webhooks.endpoints.delete',
  endpointsRotateSecret: 'rpc.webhooks.endpoints.rotate-secret',
  endpointsTest: 'rpc.webhooks.endpoints.test',
  endpointsRecover: 'rpc.webhooks.endpoints.recover',
  eventTypes: 'rpc.webhooks.event-types',
  deliveriesList: 'rpc.webhooks.deliveries.list',
  deliveriesRetry: 'rpc.webhooks.deliveries.retry',
});

export const WebhooksErrorCodes = Object.freeze({
  /** 404: no such endpoint, or one the caller may not see. */
  WEBHOOK_ENDPOINT_NOT_FOUND: 'WEBHOOK_ENDPOINT_NOT_FOUND',
  /** 404 */
  WEBHOOK_DELIVERY_NOT_FOUND: 'WEBHOOK_DELIVERY_NOT_FOUND',
  /** 400: not http(s), credentials in it, plain http in production, or resolving to a refused address. */
  INVALID_WEBHOOK_URL: 'INVALID_WEBHOOK_URL',
  /** 409: the endpoint is disabled (enable it first). */
  WEBHOOK_ENDPOINT_DISABLED: 'WEBHOOK_ENDPOINT_DISABLED',
  /** 409: the tenant has as many endpoints as its plan allows (`limit`, `plan` in the problem). */
  WEBHOOK_ENDPOINT_LIMIT_EXCEEDED: 'WEBHOOK_ENDPOINT_LIMIT_EXCEEDED',
});

/** The type of the event `POST webhooks/endpoints/{id}/test` sends (never published on the bus). */
export const WEBHOOK_TEST_EVENT_TYPE = 'webhook.test';

/** An event-type filter entry: an exact type (`tenant.ready`), an aggregate wildcard (`tenant.*`) or `*`. */
export const EVENT_FILTER_PATTERN = /^(\*|[a-z][a-z0-9_]*\.(\*|[a-z][a-z0-9_]*))$/;

export const WebhookDeliveryStatuses = Object.freeze(['pending', 'succeeded', 'failed'] as const);
export type WebhookDeliveryStatus = (typeof WebhookDeliveryStatuses)[number];

/** Fields create and update share; `url` is declared by each (a parent's `@IsOptional()` would make it optional on create too). */
export class WebhookEndpointFieldsDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  /** Empty (or absent) = every event type. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(EVENT_FILTER_PATTERN, { each: true, message: 'each event type must be `aggregate.verb`, `aggregate.*` or `*`' })
  event_types?: string[];

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** Requests per second at most to this endpoint; null = unlimited. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  rate_limit?: number | null;

  /** Extra request headers (`webhook-*`, `content-type`, `host` and hop-by-hop headers are refused). */
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;
}

export class CreateWebhookEndpointRequest extends WebhookEndpointFieldsDto {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsString()
  @MinLength(8)
  @MaxLength(2000)
  url!: string;

  /** The owning tenant; absent = a platform endpoint (admins), which receives every tenant's events. */
  @IsOptional()
  @IsUUID()
  tenant_id?: string;
}

export class UpdateWebhookEndpointRequest extends WebhookEndpointFieldsDto {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;

  @IsOmittable()
  @IsString()
  @MinLength(8)
  @MaxLength(2000)
  url?: string;
}

export class WebhookEndpointRefRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;
}

export class RecoverWebhookEndpointRequest extends WebhookEndpointRefRequest {
  /** Failed deliveries of events at or after this time are sent again. */
  @IsISO8601({ strict: true })
  since!: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}

export class ListWebhookEndpointsRequest extends ListQueryDto {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  /** Needed by non-admins (their tenant's endpoints); admins without it see every endpoint. */
  @IsOptional()
  @IsUUID()
  tenant_id?: string;

  @IsOptional()
  @IsIn(['true', 'false', true, false])
  enabled?: string | boolean;
}

export class ListWebhookDeliveriesRequest extends ListQueryDto {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsOptional()
  @IsUUID()
  tenant_id?: string;

  @IsOptional()
  @IsUUID()
  endpoint_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  event_type?: string;

  @IsOptional()
  @IsIn(WebhookDeliveryStatuses)
  status?: WebhookDeliveryStatus;

  @IsOptional()
  @IsISO8601({ strict: true })
  date_from?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  date_to?: string;
}

export class WebhookDeliveryRefRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;
}

/** An endpoint as clients see it: never its secret. */
export interface WebhookEndpointView {
  id: string;
  tenant_id: string | null;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: string | null;
  rate_limit: number | null;
  headers: Record<string, string>;
  /** The first characters of the secret, to tell secrets apart. */
  secret_hint: string;
  secret_rotated_at: string | null;
  failing_since: string | null;
  consecutive_failures: number;
  created_at: string;
  updated_at: string;
}

/** The create answer: the only time the secret is returned. */
export interface CreatedWebhookEndpointView extends WebhookEndpointView {
  secret: string;
}

export interface RotatedWebhookSecretView {
  id: string;
  secret: string;
  /** Until then requests carry a signature with the old secret too. */
  previous_secret_expires_at: string;
}

export interface WebhookAttemptView {
  attempted_at: string;
  status_code: number | null;
  latency_ms: number;
  response_snippet: string | null;
  error: string | null;
}

export interface WebhookDeliveryView {
  /** Also the `webhook-id` of every request of this message (the event id). */
  id: string;
  webhook_id: string;
  endpoint_id: string;
  tenant_id: string | null;
  event_id: string;
  event_type: string;
  status: WebhookDeliveryStatus;
  attempts_count: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  occurred_at: string;
  created_at: string;
  completed_at: string | null;
  attempts: WebhookAttemptView[];
}

export interface WebhookRecoverResult {
  endpoint_id: string;
  /** Failed deliveries queued again. */
  requeued: number;
}

export interface WebhookEventTypeView {
  type: string;
  /** JSON schema of `data` where the contract has a payload class; null otherwise. */
  schema: Record<string, unknown> | null;
}

/** `webhook_endpoint.disabled`: an endpoint kept failing (or answered 410) and was disabled. */
export class WebhookEndpointDisabledData {
  @IsUUID()
  endpoint_id!: string;

  @IsOptional()
  @IsUUID()
  tenant_id!: string | null;

  @IsString()
  url!: string;

  @IsString()
  reason!: string;

  @IsInt()
  consecutive_failures!: number;

  @IsOptional()
  @IsISO8601()
  failing_since!: string | null;
}

/** Event type → payload class of the webhooks service's events. */
export const WebhooksEventPayloads = Object.freeze({
  [EventTypes.WebhookEndpointDisabled]: WebhookEndpointDisabledData,
});
