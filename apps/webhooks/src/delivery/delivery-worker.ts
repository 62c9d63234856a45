import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Logger } from 'pino';
import { DataSource, In } from 'typeorm';
import { Clock, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import { parseRetrySchedule, type WebhooksConfig } from '../config.js';
import { EndpointSecrets } from '../endpoints/endpoint-secrets.js';
import { EndpointStatus } from '../endpoints/endpoint-status.js';
import { WebhookEndpoint } from '../endpoints/webhook-endpoint.entity.js';
import { DeliveryQueue } from './delivery-queue.js';
import { webhookAttempts, webhookEndpointsDisabled, webhookFailures, webhookLatency } from './delivery-metrics.js';
import { nextRetryDelayMs, parseRetryAfter } from './retry-schedule.js';
import { signedHeaders } from './signing.js';
import { WebhookAttempt } from './webhook-attempt.entity.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import { WebhookSender, type WebhookResponse } from './webhook-sender.js';

const INTERVAL_NAME = 'webhook-deliveries';

/**
 * Sends queued deliveries. Each endpoint is a queue of its own, in event-time order: only its oldest
 * pending delivery (its head) may be sent, and only when due and not in flight elsewhere. Heads of
 * different endpoints go out side by side (up to WEBHOOK_CONCURRENCY per replica), so one slow or
 * dead endpoint holds one slot and its own queue, never another's. Replicas share the work: a head is
 * claimed with `FOR UPDATE SKIP LOCKED` and leased (`locked_until`) while its request runs; a replica
 * that dies mid-request leaves a lease that expires and the delivery is sent again, same webhook-id.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly lastSentAt = new Map<string, number>();
  private readonly schedule: number[];
  private ticking = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly queue: DeliveryQueue,
    private readonly sender: WebhookSender,
    private readonly secrets: EndpointSecrets,
    private readonly status: EndpointStatus,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: WebhooksConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.schedule = parseRetrySchedule(config.WEBHOOK_RETRY_SCHEDULE_S);
  }

  onApplicationBootstrap(): void {
    // The service kit initialises the app and then listens; both run bootstrap hooks.
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) return;
    this.queue.onWake(() => void this.tick());
    this.scheduler.addInterval(INTERVAL_NAME, setInterval(() => void this.tick(), this.config.WEBHOOK_POLL_MS));
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** One pass: claim what is due and start sending it. Overlapping calls fold into one more pass. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.again = false;
        await this.claimAndStart();
      } while (this.again && !this.stopped);
    } catch (err) {
      this.logger.warn({ err }, 'webhook delivery pass failed; the next one retries');
    } finally {
      this.ticking = false;
    }
  }

  private async claimAndStart(): Promise<void> {
    const free = this.config.WEBHOOK_CONCURRENCY - this.inFlight.size;
    if (free <= 0) return;
    const now = this.clock.now();
    const lease = new Date(now.getTime() + this.config.WEBHOOK_TIMEOUT_MS + 10_000);
    const claimed = await this.ds.transaction(async (tx) => {
      const rows: Array<{ id: string }> = await tx.query(
        `SELECT d.id FROM webhook_deliveries d
          WHERE d.id IN (
                  SELECT DISTINCT ON (q.endpoint_id) q.id
                    FROM webhook_deliveries q JOIN webhook_endpoints e ON e.id = q.endpoint_id AND e.enabled
                   WHERE q.status = 'pending'
                   ORDER BY q.endpoint_id, q.occurred_at, q.created_at, q.id)
            AND d.status = 'pending' AND d.next_attempt_at <= $1
            AND (d.locked_until IS NULL OR d.locked_until < $1)
            AND NOT (d.endpoint_id = ANY($3::uuid[]))
          ORDER BY d.next_attempt_at
          LIMIT $2
          FOR UPDATE OF d SKIP LOCKED`,
        [now, free, [...this.inFlight.keys()]],
      );
      if (rows.length === 0) return [];
      const ids = rows.map((r) => r.id);
      await tx.update(WebhookDelivery, { id: In(ids) }, { lockedUntil: lease });
      return tx.findBy(WebhookDelivery, { id: In(ids) });
    });
    for (const delivery of claimed) {
      const task = this.deliver(delivery)
        .catch((err: unknown) => this.logger.error({ err, delivery_id: delivery.id }, 'webhook delivery failed unexpectedly; its lease expires and it is tried again'))
        .finally(() => {
          this.inFlight.delete(delivery.endpointId);
          void this.tick();
        });
      this.inFlight.set(delivery.endpointId, task);
    }
  }

  private async deliver(delivery: WebhookDelivery): Promise<void> {
    const endpoint = await this.ds.getRepository(WebhookEndpoint).findOneBy({ id: delivery.endpointId });
    if (!endpoint?.enabled) {
      await this.ds.getRepository(WebhookDelivery).update({ id: delivery.id }, { lockedUntil: null });
      return;
    }
    if (endpoint.rateLimit) {
      const gap = 1000 / endpoint.rateLimit;
      const wait = (this.lastSentAt.get(endpoint.id) ?? 0) + gap - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    this.lastSentAt.set(endpoint.id, Date.now());
    const now = this.clock.now();
    const headers = { ...endpoint.headers, ...signedHeaders(this.secrets.signingSecrets(endpoint, now), delivery.eventId, Math.floor(now.getTime() / 1000), delivery.body) };
    const response = await this.sender.send({ url: endpoint.url, headers, body: delivery.body });
    const ok = response.status !== null && response.status >= 200 && response.status < 300;
    webhookAttempts.inc({ endpoint: endpoint.id, outcome: ok ? 'succeeded' : response.status === null ? 'error' : 'failed' });
    webhookLatency.observe({ endpoint: endpoint.id }, response.latencyMs / 1000);
    if (!ok) webhookFailures.inc({ endpoint: endpoint.id, reason: response.status === null ? 'no_response' : String(response.status) });
    await this.record(delivery, response, ok);
  }

  /** The attempt, the delivery's next state and the endpoint's failure run, in one transaction. */
  private async record(delivery: WebhookDelivery, response: WebhookResponse, ok: boolean): Promise<void> {
    await this.ds.transaction(async (tx) => {
      const now = this.clock.now();
      // The endpoint (and with it the delivery) may have been deleted while the request ran.
      if (!(await tx.exists(WebhookDelivery, { where: { id: delivery.id } }))) return;
      await tx.insert(WebhookAttempt, {
        id: randomUUID(),
        deliveryId: delivery.id,
        attemptedAt: now,
        statusCode: response.status,
        latencyMs: response.latencyMs,
        responseSnippet: response.snippet,
        error: response.error ?? (ok ? null : `HTTP ${response.status}`),
      });
      const endpoint = await tx.findOne(WebhookEndpoint, { where: { id: delivery.endpointId }, lock: { mode: 'pessimistic_write' } });
      const attempts = delivery.attemptsCount + 1;
      const base = { attemptsCount: attempts, lastStatusCode: response.status, lockedUntil: null };
      if (ok) {
        await tx.update(WebhookDelivery, { id: delivery.id }, { ...base, status: 'succeeded', completedAt: now, nextAttemptAt: null });
        if (endpoint && (endpoint.consecutiveFailures > 0 || endpoint.failingSince)) {
          await tx.update(WebhookEndpoint, { id: endpoint.id }, { consecutiveFailures: 0, failingSince: null });
        }
        return;
      }
      const gone = response.status === 410;
      const retryAfter = response.status === 429 || response.status === 503 ? parseRetryAfter(response.retryAfter, now) : null;
      const delay = gone ? null : nextRetryDelayMs(this.schedule, attempts, retryAfter);
      if (delay === null) await tx.update(WebhookDelivery, { id: delivery.id }, { ...base, status: 'failed', completedAt: now, nextAttemptAt: null });
      else await tx.update(WebhookDelivery, { id: delivery.id }, { ...base, nextAttemptAt: new Date(now.getTime() + delay) });
      if (!endpoint) return;
      endpoint.consecutiveFailures += 1;
      endpoint.failingSince ??= now;
      await tx.update(WebhookEndpoint, { id: endpoint.id }, { consecutiveFailures: endpoint.consecutiveFailures, failingSince: endpoint.failingSince });
      const reason = gone
        ? 'the endpoint answered 410 Gone'
        : this.config.WEBHOOK_DISABLE_AFTER_FAILURES > 0 && endpoint.consecutiveFailures >= this.config.WEBHOOK_DISABLE_AFTER_FAILURES
          ? `${endpoint.consecutiveFailures} failed attempts in a row`
          : now.getTime() - endpoint.failingSince.getTime() >= this.config.WEBHOOK_DISABLE_AFTER_S * 1000
            ? `failing continuously since ${endpoint.failingSince.toISOString()}`
            : null;
      if (reason && endpoint.enabled) {
        await this.status.disable(tx, endpoint, reason);
        webhookEndpointsDisabled.inc();
        this.logger.warn({ endpoint_id: endpoint.id, tenant_id: endpoint.tenantId, reason }, 'webhook endpoint disabled');
      }
    });
  }
}
