import type { WebhookEndpointView } from '@saas/contracts';
import type { WebhookEndpoint } from './webhook-endpoint.entity.js';

export function toEndpointView(e: WebhookEndpoint): WebhookEndpointView {
  return {
    id: e.id,
    tenant_id: e.tenantId,
    url: e.url,
    description: e.description,
    event_types: e.eventTypes,
    enabled: e.enabled,
    disabled_reason: e.disabledReason,
    disabled_at: e.disabledAt?.toISOString() ?? null,
    rate_limit: e.rateLimit,
    headers: e.headers,
    secret_hint: e.secretHint,
    secret_rotated_at: e.secretRotatedAt?.toISOString() ?? null,
    failing_since: e.failingSince?.toISOString() ?? null,
    consecutive_failures: e.consecutiveFailures,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}
