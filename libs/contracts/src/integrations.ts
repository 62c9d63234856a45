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
import { ListQueryDto } from './list.js';
import { IsOmittable } from './validation.js';
import { EventTypes } from './subjects.js';

/** RPC subjects of inbound integrations (answered by the webhooks service). */
export const IntegrationsRpc = Object.freeze({
  providersCreate: 'rpc.webhooks.integrations.providers.create',
  providersList: 'rpc.webhooks.integrations.providers.list',
  providersGet: 'rpc.webhooks.integrations.providers.get',
  providersUpdate: 'rpc.webhooks.integrations.providers.update',
  providersDelete: 'rpc.webhooks.integrations.providers.delete',
  /** A provider's webhook as the gateway received it (raw body, headers, source IP). */
  receive: 'rpc.webhooks.integrations.receive',
  eventsList: 'rpc.webhooks.integrations.events.list',
  eventsRetry: 'rpc.webhooks.integrations.events.retry',
  health: 'rpc.webhooks.integrations.health',
});

export const IntegrationsErrorCodes = Object.freeze({
  /** 404 */
  INTEGRATION_PROVIDER_NOT_FOUND: 'INTEGRATION_PROVIDER_NOT_FOUND',
  /** 404 */
  INTEGRATION_EVENT_NOT_FOUND: 'INTEGRATION_EVENT_NOT_FOUND',
  /** 401: missing or wrong signature, or a timestamp outside the tolerance (a replay). */
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  /** 403: the request came from an address outside the provider's allow-list. */
  SOURCE_IP_NOT_ALLOWED: 'SOURCE_IP_NOT_ALLOWED',
  /** 409 */
  INTEGRATION_PROVIDER_CONFLICT: 'INTEGRATION_PROVIDER_CONFLICT',
  /**
   * 400: `api_base_url` is not http(s), carries credentials, or points at a refused address
   * (loopback, private, link-local, metadata) while private networks are not allowed.
   */
  INVALID_PROVIDER_URL: 'INVALID_PROVIDER_URL',
});

export const IntegrationAuthTypes = Object.freeze(['api_key', 'oauth2', 'hmac', 'none'] as const);
export type IntegrationAuthType = (typeof IntegrationAuthTypes)[number];

/** How a provider signs its webhooks: Standard Webhooks, Stripe-style `t=…,v1=…`, or a plain hex HMAC-SHA256 in `X-Signature`. */
export const SignatureSchemes = Object.freeze(['standard_webhooks', 'stripe', 'hmac_sha256'] as const);
export type SignatureScheme = (typeof SignatureSchemes)[number];

export const IntegrationEventStatuses = Object.freeze(['received', 'processed', 'failed'] as const);
export type IntegrationEventStatus = (typeof IntegrationEventStatuses)[number];

export const ProviderHealthStatuses = Object.freeze(['healthy', 'degraded', 'down', 'unknown'] as const);
export type ProviderHealthStatus = (typeof ProviderHealthStatuses)[number];

/** A provider name, also its path segment in `POST integrations/webhooks/{provider}`. */
export const PROVIDER_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{1,62}$/;

/**
 * The fields create and update share. `name` and `secret_key` are declared by each request itself:
 * class-validator keeps a parent's `@IsOptional()` even where a subclass redeclares the field, which
 * let a create without them through to the service (a 500 the fuzz suite found).
 */
export class ProviderFieldsDto {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  webhook_url?: string | null;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'api_base_url must be an http(s) URL' })
  @MaxLength(2000)
  api_base_url?: string | null;

  @IsOptional()
  @IsIn(IntegrationAuthTypes)
  auth_type?: IntegrationAuthType;

  @IsOptional()
  @IsIn(SignatureSchemes)
  signature_scheme?: SignatureScheme;

  /** Source addresses or CIDR blocks allowed to call; empty = any. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  allowed_ips?: string[];

  /** Requests per minute at most; null = unlimited. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  rate_limit?: number | null;

  /** How old a signed timestamp may be (seconds). */
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(3600)
  timestamp_tolerance_s?: number;

  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}

export class CreateProviderRequest extends ProviderFieldsDto {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @Matches(PROVIDER_NAME_PATTERN, { message: 'name must be 2–63 lower-case letters, digits, - or _' })
  name!: string;

  /** Stored encrypted, never returned. For `standard_webhooks` a `whsec_…` secret. */
  @IsString()
  @MinLength(8)
  @MaxLength(500)
  secret_key!: string;
}

export class UpdateProviderRequest extends ProviderFieldsDto {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;

  @IsOmittable()
  @Matches(PROVIDER_NAME_PATTERN, { message: 'name must be 2–63 lower-case letters, digits, - or _' })
  name?: string;

  /** A new secret (stored encrypted, never returned). */
  @IsOmittable()
  @IsString()
  @MinLength(8)
  @MaxLength(500)
  secret_key?: string;
}

export class ProviderRefRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;
}

export class ListProvidersRequest extends ListQueryDto {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;
}

export class ReceiveIntegrationWebhookRequest {
  /** Provider id or name (the path segment). */
  @IsString()
  @MaxLength(63)
  provider!: string;

  @IsString()
  raw_body!: string;

  /** Request headers, lower-case names. */
  @IsObject()
  headers!: Record<string, string>;

  @IsString()
  @MaxLength(100)
  source_ip!: string;
}

export class ListIntegrationEventsRequest extends ListQueryDto {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsOptional()
  @IsString()
  @MaxLength(63)
  provider?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  type?: string;

  @IsOptional()
  @IsIn(IntegrationEventStatuses)
  status?: IntegrationEventStatus;

  @IsOptional()
  @IsISO8601({ strict: true })
  date_from?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  date_to?: string;
}

export class IntegrationEventRefRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;
}

export class IntegrationsHealthRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;
}

export interface ProviderView {
  id: string;
  name: string;
  webhook_url: string | null;
  api_base_url: string | null;
  auth_type: IntegrationAuthType;
  signature_scheme: SignatureScheme;
  secret_key_set: boolean;
  allowed_ips: string[];
  rate_limit: number | null;
  timestamp_tolerance_s: number;
  is_active: boolean;
  health: ProviderHealthView;
  created_at: string;
  updated_at: string;
}

export interface ProviderHealthView {
  status: ProviderHealthStatus;
  response_time_ms: number | null;
  last_check_at: string | null;
  error: string | null;
}

export interface IntegrationEventView {
  id: string;
  provider_id: string;
  provider: string;
  event_id: string;
  type: string;
  status: IntegrationEventStatus;
  attempts: number;
  error: string | null;
  payload: unknown;
  received_at: string;
  processed_at: string | null;
}

export interface IntegrationReceiveResult {
  received: true;
  duplicate: boolean;
  id: string;
}

export interface IntegrationsHealthView {
  status: 'healthy' | 'degraded' | 'down' | 'unknown';
  providers: Array<{ id: string; name: string } & ProviderHealthView>;
}

/** `integration.event_received`: a verified webhook of an outside provider, for the services to react to. */
export class IntegrationEventReceivedData {
  @IsUUID()
  integration_event_id!: string;

  @IsUUID()
  provider_id!: string;

  @IsString()
  provider!: string;

  /** The provider's own event id (deduplicated on it). */
  @IsString()
  event_id!: string;

  /** The provider's event type (e.g. `payment.succeeded`). */
  @IsString()
  type!: string;

  @IsObject()
  payload!: Record<string, unknown>;
}

/** `integration.provider_health_changed`: a provider's API went down, degraded or came back. */
export class IntegrationProviderHealthChangedData {
  @IsUUID()
  provider_id!: string;

  @IsString()
  provider!: string;

  @IsIn(ProviderHealthStatuses)
  from!: ProviderHealthStatus;

  @IsIn(ProviderHealthStatuses)
  to!: ProviderHealthStatus;

  @IsOptional()
  @IsInt()
  response_time_ms!: number | null;
}

export const IntegrationsEventPayloads = Object.freeze({
  [EventTypes.IntegrationEventReceived]: IntegrationEventReceivedData,
  [EventTypes.IntegrationProviderHealthChanged]: IntegrationProviderHealthChangedData,
});
