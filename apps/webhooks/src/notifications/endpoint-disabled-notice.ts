import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { EventTypes, type EventEnvelope, type WebhookEndpointDisabledData } from '@saas/contracts';
import { OnEvent } from '@saas/messaging';
import { metricsRegistry } from '@saas/observability';
import { Mailer, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { WebhooksConfig } from '../config.js';
import { endpointDisabledMail } from './endpoint-disabled-mail.js';
import { TenantContacts } from './tenant-contacts.js';

export const endpointDisabledNotices = new Counter({
  name: 'saas_webhook_endpoint_disabled_notices_total',
  help: 'Mails about disabled webhook endpoints, by outcome (sent, no_recipient, skipped: enabled again before the mail)',
  labelNames: ['outcome'],
  registers: [metricsRegistry],
});

/**
 * Mails the owner of an endpoint the platform disabled (410 Gone, or failing for too long): which
 * endpoint (id, URL without its secrets), why, and how to enable it again. It reacts to the
 * service's own `webhook_endpoint.disabled`, in that event's inbox transaction, so the notice is
 * durable with the disable itself: a mail that cannot be sent (identity or SMTP away) fails the
 * event, which is retried and, if it keeps failing, parked as a dead letter to replay. A crash
 * between the mail and the commit may send it twice; it is never silently dropped.
 */
@Injectable()
export class EndpointDisabledNotice {
  constructor(
    private readonly contacts: TenantContacts,
    private readonly mailer: Mailer,
    @Inject(SERVICE_CONFIG) private readonly config: WebhooksConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  @OnEvent(EventTypes.WebhookEndpointDisabled)
  async notify(event: EventEnvelope, tx: EntityManager): Promise<void> {
    const d = event.data as unknown as WebhookEndpointDisabledData;
    const rows: Array<{ enabled: boolean; description: string }> = await tx.query(`SELECT enabled, description FROM webhook_endpoints WHERE id = $1`, [d.endpoint_id]);
    const endpoint = rows[0];
    if (endpoint?.enabled) {
      // Enabled again before this ran (a late redelivery): the news is stale.
      endpointDisabledNotices.inc({ outcome: 'skipped' });
      return;
    }
    const tenantId = d.tenant_id ?? null;
    let recipients: string[];
    let tenant: { id: string; name: string } | null = null;
    if (tenantId) {
      const owner = await this.contacts.ownerAddress(tx, tenantId);
      recipients = owner ? [owner.to] : [];
      tenant = { id: tenantId, name: owner?.tenantName ?? '' };
    } else {
      // A platform endpoint belongs to the operators: the addresses they configured, or nobody.
      recipients = [...this.config.WEBHOOKS_PLATFORM_ALERT_EMAILS];
    }
    if (recipients.length === 0) {
      endpointDisabledNotices.inc({ outcome: 'no_recipient' });
      this.logger.warn({ endpoint_id: d.endpoint_id, tenant_id: tenantId }, tenantId ? 'disabled webhook endpoint: its tenant has no owner address to mail' : 'disabled platform webhook endpoint: WEBHOOKS_PLATFORM_ALERT_EMAILS is empty, nobody mailed');
      return;
    }
    for (const to of recipients) {
      await this.mailer.send(
        endpointDisabledMail({
          to,
          endpointId: d.endpoint_id,
          url: d.url,
          description: endpoint?.description ?? '',
          tenant,
          reason: d.reason,
          consecutiveFailures: d.consecutive_failures,
          failingSince: d.failing_since ?? null,
          disabledAt: event.occurred_at,
          appUrl: this.config.PUBLIC_APP_URL,
        }),
      );
    }
    endpointDisabledNotices.inc({ outcome: 'sent' });
  }
}
