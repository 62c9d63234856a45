import {
  IntegrationAuthTypes,
  IntegrationEventStatuses,
  ProviderHealthStatuses,
  SignatureSchemes,
  type IntegrationAuthType,
  type IntegrationEventStatus,
  type IntegrationEventView,
  type IntegrationReceiveResult,
  type IntegrationsHealthView,
  type ProviderHealthStatus,
  type ProviderHealthView,
  type ProviderView,
  type SignatureScheme,
} from '@saas/contracts';
import { ApiProperty } from '@nestjs/swagger';
import { Bool, DateTime, Int, Nested, NestedList, NullableDateTime, NullableInt, NullableStr, OneOf, Str, StrList, Uuid } from '../../http/view-properties.js';

export class ProviderHealthViewDto implements ProviderHealthView {
  @OneOf(ProviderHealthStatuses) status!: ProviderHealthStatus;
  @NullableInt() response_time_ms!: number | null;
  @NullableDateTime() last_check_at!: string | null;
  @NullableStr() error!: string | null;
}

/** `ProviderView` (libs/contracts/src/integrations.ts): `secret_key_set`, never the secret. */
export class ProviderViewDto implements ProviderView {
  @Uuid() id!: string;
  @Str(undefined, { example: 'stripe' }) name!: string;
  @NullableStr() webhook_url!: string | null;
  @NullableStr() api_base_url!: string | null;
  @OneOf(IntegrationAuthTypes) auth_type!: IntegrationAuthType;
  @OneOf(SignatureSchemes) signature_scheme!: SignatureScheme;
  @Bool() secret_key_set!: boolean;
  @StrList('IPs or CIDRs webhooks are accepted from (empty: any).') allowed_ips!: string[];
  @NullableInt() rate_limit!: number | null;
  @Int() timestamp_tolerance_s!: number;
  @Bool() is_active!: boolean;
  @Nested(ProviderHealthViewDto) health!: ProviderHealthViewDto;
  @DateTime() created_at!: string;
  @DateTime() updated_at!: string;
}

export class IntegrationEventViewDto implements IntegrationEventView {
  @Uuid() id!: string;
  @Uuid() provider_id!: string;
  @Str() provider!: string;
  @Str('The provider’s event id (stored once).') event_id!: string;
  @Str() type!: string;
  @OneOf(IntegrationEventStatuses) status!: IntegrationEventStatus;
  @Int() attempts!: number;
  @NullableStr() error!: string | null;
  @ApiProperty({ required: true, nullable: true, description: 'The event as the provider sent it (any JSON).' }) payload!: unknown;
  @DateTime() received_at!: string;
  @NullableDateTime() processed_at!: string | null;
}

export class IntegrationReceiveResultDto implements IntegrationReceiveResult {
  @ApiProperty({ type: Boolean, enum: [true] }) received!: true;
  @Bool('The event id was seen before: nothing was done.') duplicate!: boolean;
  @Uuid() id!: string;
}

export class ProviderHealthEntryDto extends ProviderHealthViewDto {
  @Uuid() id!: string;
  @Str() name!: string;
}

export class IntegrationsHealthViewDto implements IntegrationsHealthView {
  @OneOf(['healthy', 'degraded', 'down', 'unknown']) status!: IntegrationsHealthView['status'];
  @NestedList(ProviderHealthEntryDto) providers!: ProviderHealthEntryDto[];
}
