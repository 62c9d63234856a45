import type { IntegrationEventView, ProviderView } from '@saas/contracts';
import type { IntegrationEvent } from './integration-event.entity.js';
import type { IntegrationProvider } from './integration-provider.entity.js';

export function toProviderView(p: IntegrationProvider): ProviderView {
  return {
    id: p.id,
    name: p.name,
    webhook_url: p.webhookUrl,
    api_base_url: p.apiBaseUrl,
    auth_type: p.authType,
    signature_scheme: p.signatureScheme,
    secret_key_set: !!p.secretKey,
    allowed_ips: p.allowedIps,
    rate_limit: p.rateLimit,
    timestamp_tolerance_s: p.timestampToleranceS,
    is_active: p.isActive,
    health: { status: p.healthStatus, response_time_ms: p.healthResponseMs, last_check_at: p.healthCheckedAt?.toISOString() ?? null, error: p.healthError },
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

export function toIntegrationEventView(e: IntegrationEvent, providerName: string): IntegrationEventView {
  return {
    id: e.id,
    provider_id: e.providerId,
    provider: providerName,
    event_id: e.eventId,
    type: e.type,
    status: e.status,
    attempts: e.attempts,
    error: e.error,
    payload: e.payload,
    received_at: e.receivedAt.toISOString(),
    processed_at: e.processedAt?.toISOString() ?? null,
  };
}
