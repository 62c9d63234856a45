import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, SYSTEM_ACTOR, type WebhookEndpointDisabledData } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { Clock } from '@saas/service-kit';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';

/**
 * The one way an endpoint is disabled or enabled. Disabling (410 Gone, continuous failure) records
 * the reason and emits `webhook_endpoint.disabled` in the caller's transaction; its queued deliveries
 * stay queued and flow again once it is enabled. Enabling clears the failure run.
 */
@Injectable()
export class EndpointStatus {
  constructor(
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async disable(tx: EntityManager, endpoint: WebhookEndpoint, reason: string): Promise<void> {
    if (!endpoint.enabled) return;
    const now = this.clock.now();
    endpoint.enabled = false;
    endpoint.disabledReason = reason;
    endpoint.disabledAt = now;
    await tx.update(WebhookEndpoint, { id: endpoint.id }, { enabled: false, disabledReason: reason, disabledAt: now });
    await this.outbox.add<WebhookEndpointDisabledData>(tx, {
      type: EventTypes.WebhookEndpointDisabled,
      tenantId: endpoint.tenantId,
      actor: SYSTEM_ACTOR,
      data: {
        endpoint_id: endpoint.id,
        tenant_id: endpoint.tenantId,
        url: endpoint.url,
        reason,
        consecutive_failures: endpoint.consecutiveFailures,
        failing_since: endpoint.failingSince?.toISOString() ?? null,
      },
    });
  }

  enable(): Partial<WebhookEndpoint> {
    return { enabled: true, disabledReason: null, disabledAt: null, failingSince: null, consecutiveFailures: 0 };
  }
}
