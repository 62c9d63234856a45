import { OmitType, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { CreateProviderRequest, IntegrationAuthTypes, ListIntegrationEventsRequest, ListProvidersRequest, SignatureSchemes, UpdateProviderRequest } from '@saas/contracts';
import { documented, required, str } from '../../identity/dto/documented.js';

const providerFields: Record<
  'name' | 'webhook_url' | 'api_base_url' | 'auth_type' | 'secret_key' | 'signature_scheme' | 'allowed_ips' | 'rate_limit' | 'timestamp_tolerance_s' | 'is_active',
  ApiPropertyOptions
> = {
  name: str('Lower-case name, also the `{provider}` of `POST integrations/webhooks/{provider}`.'),
  webhook_url: str('Where the provider is told to send its webhooks (informational).', { nullable: true }),
  api_base_url: str('The provider’s API, checked on a schedule for `GET integrations/health`.', { nullable: true }),
  auth_type: { enum: IntegrationAuthTypes, description: 'How we authenticate to the provider’s API.' } as ApiPropertyOptions,
  secret_key: str('Signing secret of the provider’s webhooks (`whsec_…` for Standard Webhooks). Stored encrypted, never returned.'),
  signature_scheme: { enum: SignatureSchemes, description: '`standard_webhooks`, `stripe` (`Stripe-Signature: t=…,v1=…`) or `hmac_sha256` (hex in `X-Signature`).' } as ApiPropertyOptions,
  allowed_ips: { type: [String], isArray: true, description: 'Source IPs or CIDR blocks allowed to call; empty = any.' } as ApiPropertyOptions,
  rate_limit: { type: Number, nullable: true, minimum: 1, description: 'Webhooks per minute at most.' } as ApiPropertyOptions,
  timestamp_tolerance_s: { type: Number, minimum: 10, maximum: 3600, description: 'How old a signed timestamp may be (default 300).' } as ApiPropertyOptions,
  is_active: { type: Boolean, description: 'An inactive provider’s webhooks are refused (404).' } as ApiPropertyOptions,
};

export class CreateProviderBody extends OmitType(CreateProviderRequest, ['caller'] as const) {}
documented(CreateProviderBody, { ...providerFields, name: required(providerFields.name), secret_key: required(providerFields.secret_key) });

export class UpdateProviderBody extends OmitType(UpdateProviderRequest, ['caller', 'id'] as const) {}
documented(UpdateProviderBody, providerFields);

export class ListProvidersQuery extends OmitType(ListProvidersRequest, ['caller'] as const) {}
export class ListIntegrationEventsQuery extends OmitType(ListIntegrationEventsRequest, ['caller'] as const) {}

export class IntegrationIdParams {
  @IsUUID()
  id!: string;
}

export class ProviderPathParams {
  @IsString()
  @MaxLength(63)
  @Matches(/^[a-z0-9][a-z0-9_-]{1,62}$|^[0-9a-f-]{36}$/i, { message: 'provider must be a provider name or id' })
  provider!: string;
}
