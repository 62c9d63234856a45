import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  isAdmin,
  WEBHOOK_TEST_EVENT_TYPE,
  type CreatedWebhookEndpointView,
  type CreateWebhookEndpointRequest,
  type ListResult,
  type ListWebhookEndpointsRequest,
  type RecoverWebhookEndpointRequest,
  type RotatedWebhookSecretView,
  type UpdateWebhookEndpointRequest,
  type WebhookDeliveryView,
  type WebhookEndpointRefRequest,
  type WebhookEndpointView,
  type WebhookRecoverResult,
} from '@saas/contracts';
import { paginate } from '@saas/database';
import { DomainException } from '@saas/errors';
import { Clock, SERVICE_CONFIG } from '@saas/service-kit';
import type { WebhooksConfig } from '../config.js';
import { DeliveryQueue } from '../delivery/delivery-queue.js';
import { WebhookDelivery } from '../delivery/webhook-delivery.entity.js';
import { checkCustomHeaders } from './custom-headers.js';
import { EndpointAccess } from './endpoint-access.js';
import { EndpointSecrets } from './endpoint-secrets.js';
import { EndpointStatus } from './endpoint-status.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { WebhookEndpointException } from './webhook-endpoint.exception.js';
import { toEndpointView } from './webhook-endpoint.view.js';
import { checkWebhookUrl, type WebhookUrlPolicy } from './webhook-url.js';

const ORDERABLE = { created_at: 'createdAt', updated_at: 'updatedAt', url: 'url' };

/** Webhook endpoints: CRUD, secret rotation, test messages and recovery of failed deliveries. */
@Injectable()
export class EndpointsService {
  private readonly urlPolicy: WebhookUrlPolicy;

  constructor(
    private readonly ds: DataSource,
    private readonly access: EndpointAccess,
    private readonly secrets: EndpointSecrets,
    private readonly status: EndpointStatus,
    private readonly queue: DeliveryQueue,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: WebhooksConfig,
  ) {
    this.urlPolicy = { allowPrivateNetworks: config.WEBHOOKS_ALLOW_PRIVATE_NETWORKS, requireHttps: config.NODE_ENV === 'production' };
  }

  private repo() {
    return this.ds.getRepository(WebhookEndpoint);
  }

  private async load(caller: WebhookEndpointRefRequest['caller'], id: string): Promise<WebhookEndpoint> {
    return this.access.authorizeEndpoint(caller, await this.repo().findOneBy({ id }));
  }

  async create(req: CreateWebhookEndpointRequest): Promise<CreatedWebhookEndpointView> {
    if (req.tenant_id) await this.access.authorizeTenant(req.caller, req.tenant_id);
    else if (!isAdmin(req.caller)) throw DomainException.validation([{ field: 'tenant_id', message: 'tenant_id is required (platform endpoints are for platform admins)' }]);
    const url = await checkWebhookUrl(req.url, this.urlPolicy);
    const { secret, sealed, hint } = this.secrets.generate();
    const endpoint = this.repo().create({
      id: randomUUID(),
      tenantId: req.tenant_id ?? null,
      url,
      description: req.description ?? '',
      eventTypes: [...new Set(req.event_types ?? [])],
      enabled: req.enabled ?? true,
      disabledReason: req.enabled === false ? 'disabled by a user' : null,
      disabledAt: req.enabled === false ? this.clock.now() : null,
      rateLimit: req.rate_limit ?? null,
      headers: checkCustomHeaders(req.headers ?? {}),
      secret: sealed,
      secretHint: hint,
    });
    const saved = await this.ds.transaction(async (tx) => {
      if (endpoint.tenantId) {
        // Creations of one tenant's endpoints queue here, so two at once cannot both take the last one.
        const { plan, limit } = await this.access.endpointLimit(endpoint.tenantId);
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`webhook-endpoints:${endpoint.tenantId}`]);
        if ((await tx.countBy(WebhookEndpoint, { tenantId: endpoint.tenantId })) >= limit) throw WebhookEndpointException.limitExceeded(limit, plan);
      }
      return tx.save(endpoint);
    });
    return { ...toEndpointView(saved), secret };
  }

  async list(req: ListWebhookEndpointsRequest): Promise<ListResult<WebhookEndpointView>> {
    if (req.tenant_id) await this.access.authorizeTenant(req.caller, req.tenant_id);
    else if (!isAdmin(req.caller) || req.caller.tenant_id) throw DomainException.validation([{ field: 'tenant_id', message: 'tenant_id is required' }]);
    const qb = this.repo().createQueryBuilder('e');
    if (req.tenant_id) qb.where('e.tenant_id = :tenant', { tenant: req.tenant_id });
    if (req.enabled !== undefined) qb.andWhere('e.enabled = :enabled', { enabled: req.enabled === true || req.enabled === 'true' });
    if (req.search) qb.andWhere('(e.url ILIKE :q OR e.description ILIKE :q)', { q: `%${req.search.replace(/[%_\\]/g, '\\$&')}%` });
    const page = await paginate(qb, req, { orderable: ORDERABLE, defaultOrder: { created_at: 'DESC' } });
    return { count: page.count, results: page.results.map(toEndpointView) };
  }

  async get(req: WebhookEndpointRefRequest): Promise<WebhookEndpointView> {
    return toEndpointView(await this.load(req.caller, req.id));
  }

  async update(req: UpdateWebhookEndpointRequest): Promise<WebhookEndpointView> {
    const endpoint = await this.load(req.caller, req.id);
    const changes: Partial<WebhookEndpoint> = {};
    if (req.url !== undefined) changes.url = await checkWebhookUrl(req.url, this.urlPolicy);
    if (req.description !== undefined) changes.description = req.description;
    if (req.event_types !== undefined) changes.eventTypes = [...new Set(req.event_types)];
    if (req.rate_limit !== undefined) changes.rateLimit = req.rate_limit;
    if (req.headers !== undefined) changes.headers = checkCustomHeaders(req.headers);
    if (req.enabled === true && !endpoint.enabled) Object.assign(changes, this.status.enable());
    if (req.enabled === false && endpoint.enabled) Object.assign(changes, { enabled: false, disabledReason: 'disabled by a user', disabledAt: this.clock.now() });
    if (Object.keys(changes).length > 0) await this.repo().update({ id: endpoint.id }, changes);
    if (changes.enabled) this.queue.wake();
    return toEndpointView(await this.repo().findOneByOrFail({ id: endpoint.id }));
  }

  async remove(req: WebhookEndpointRefRequest): Promise<WebhookEndpointView> {
    const endpoint = await this.load(req.caller, req.id);
    await this.repo().delete({ id: endpoint.id });
    return toEndpointView(endpoint);
  }

  /** A new secret; the old one keeps signing (a second signature) for WEBHOOK_SECRET_GRACE_S. */
  async rotateSecret(req: WebhookEndpointRefRequest): Promise<RotatedWebhookSecretView> {
    const endpoint = await this.load(req.caller, req.id);
    const now = this.clock.now();
    const expires = new Date(now.getTime() + this.config.WEBHOOK_SECRET_GRACE_S * 1000);
    const { secret, sealed, hint } = this.secrets.generate();
    await this.repo().update(
      { id: endpoint.id },
      { secret: sealed, secretHint: hint, previousSecret: endpoint.secret, previousSecretExpiresAt: expires, secretRotatedAt: now },
    );
    return { id: endpoint.id, secret, previous_secret_expires_at: expires.toISOString() };
  }

  /** Queues a `webhook.test` message to this endpoint only (it goes through the same worker and signing). */
  async test(req: WebhookEndpointRefRequest): Promise<WebhookDeliveryView> {
    const endpoint = await this.load(req.caller, req.id);
    if (!endpoint.enabled) throw WebhookEndpointException.disabled();
    const now = this.clock.now();
    const eventId = randomUUID();
    const delivery = await this.ds.transaction(async (tx) => {
      return this.queue.enqueueOne(tx, endpoint, {
        id: eventId,
        type: WEBHOOK_TEST_EVENT_TYPE,
        occurred_at: now.toISOString(),
        tenant_id: endpoint.tenantId,
        data: { endpoint_id: endpoint.id, message: 'This is a test message from the SaaS control plane.' },
      });
    });
    return this.queue.view(delivery, []);
  }

  /** Queues again every failed delivery of the endpoint whose event happened in [since, until]. */
  async recover(req: RecoverWebhookEndpointRequest): Promise<WebhookRecoverResult> {
    const endpoint = await this.load(req.caller, req.id);
    const qb = this.ds
      .createQueryBuilder()
      .update(WebhookDelivery)
      .set({ status: 'pending', nextAttemptAt: this.clock.now(), completedAt: null })
      .where('endpoint_id = :id AND status = :failed AND occurred_at >= :since', { id: endpoint.id, failed: 'failed', since: new Date(req.since) });
    if (req.until) qb.andWhere('occurred_at <= :until', { until: new Date(req.until) });
    const result = await qb.execute();
    this.queue.wake();
    return { endpoint_id: endpoint.id, requeued: result.affected ?? 0 };
  }
}
