import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { DataSource, In } from 'typeorm';
import {
  IdentityRpc,
  EventTypes,
  SYSTEM_ACTOR,
  type IntegrationEventReceivedData,
  type IntegrationEventRefRequest,
  type IntegrationEventView,
  type IntegrationReceiveResult,
  type ListIntegrationEventsRequest,
  type ListResult,
  type ReceiveIntegrationWebhookRequest,
} from '@saas/contracts';
import { paginate } from '@saas/database';
import { DomainException } from '@saas/errors';
import { EventOutbox, RpcClient, SecurityReportBatcher } from '@saas/messaging';
import { metricsRegistry } from '@saas/observability';
import { Clock, SERVICE_LOGGER } from '@saas/service-kit';
import { verifyInboundSignature } from './inbound-signature.js';
import { IntegrationEvent } from './integration-event.entity.js';
import { IntegrationProvider } from './integration-provider.entity.js';
import { IntegrationsException } from './integrations.exception.js';
import { ipAllowed } from './ip-allow-list.js';
import { toIntegrationEventView } from './provider.view.js';
import { ProvidersService, requireAdmin } from './providers.service.js';

/** Refused inbound webhooks, by provider and reason (a security signal: forged or replayed calls). */
export const inboundWebhooksRefused = new Counter({
  name: 'saas_integration_webhooks_refused_total',
  help: 'Inbound provider webhooks refused, by provider and reason (invalid_signature, ip_not_allowed, rate_limited)',
  labelNames: ['provider', 'reason'],
  registers: [metricsRegistry],
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SWEEP_INTERVAL = 'integration-events';

/**
 * Inbound webhooks: verified (allow-list, rate limit, signature and timestamp), stored once per
 * provider event id and answered at once; publishing `integration.event_received` happens after the
 * answer, through the outbox (a sweep picks up anything a crash left `received`).
 */
@Injectable()
export class IntegrationEventsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private processing?: Promise<void>;
  private again = false;

  constructor(
    private readonly ds: DataSource,
    private readonly providers: ProvidersService,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerRegistry,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    rpc: RpcClient,
  ) {
    this.securityReports = new SecurityReportBatcher(rpc, IdentityRpc.securityReport, logger);
  }

  private readonly securityReports: SecurityReportBatcher;

  onApplicationBootstrap(): void {
    this.securityReports.start();
    if (this.scheduler.doesExist('interval', SWEEP_INTERVAL)) return;
    this.scheduler.addInterval(SWEEP_INTERVAL, setInterval(() => this.kick(), 5_000));
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', SWEEP_INTERVAL)) this.scheduler.deleteInterval(SWEEP_INTERVAL);
    await this.processing;
    await this.securityReports.stop();
  }

  async receive(req: ReceiveIntegrationWebhookRequest): Promise<IntegrationReceiveResult> {
    const repo = this.ds.getRepository(IntegrationProvider);
    const provider = await repo.findOneBy(UUID.test(req.provider) ? { id: req.provider, isActive: true } : { name: req.provider, isActive: true });
    if (!provider) throw IntegrationsException.providerNotFound();
    const refuse = (reason: string, err: DomainException) => {
      inboundWebhooksRefused.inc({ provider: provider.name, reason });
      // Counted in security/metrics (signature failures) and security/threats (bursts).
      if (reason === 'invalid_signature') {
        this.securityReports.add(`${provider.name} ${req.source_ip ?? ''}`, { type: 'signature_failure', provider: provider.name, ...(req.source_ip ? { ip: req.source_ip } : {}) });
      }
      this.logger.warn({ provider: provider.name, reason, source_ip: req.source_ip }, 'inbound webhook refused');
      return err;
    };
    if (!ipAllowed(provider.allowedIps, req.source_ip)) throw refuse('ip_not_allowed', IntegrationsException.ipNotAllowed());
    if (provider.rateLimit) {
      const now = Date.now();
      const w = this.windows.get(provider.id);
      if (!w || now - w.start >= 60_000) this.windows.set(provider.id, { start: now, count: 1 });
      else if (++w.count > provider.rateLimit) throw refuse('rate_limited', IntegrationsException.rateLimited(Math.ceil((w.start + 60_000 - now) / 1000)));
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    const nowS = Math.floor(this.clock.now().getTime() / 1000);
    const verdict = verifyInboundSignature(provider.signatureScheme, this.providers.secrets.open(provider.secretKey), req.raw_body, headers, nowS, provider.timestampToleranceS);
    if (!verdict.ok) throw refuse('invalid_signature', IntegrationsException.invalidSignature());

    let payload: unknown;
    try {
      payload = JSON.parse(req.raw_body);
    } catch {
      throw new DomainException('MALFORMED_JSON', 'The body is not valid JSON.', { status: 400 });
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw DomainException.validation([{ field: '', message: 'the body must be a JSON object' }]);
    const body = payload as Record<string, unknown>;
    const eventId = String((provider.signatureScheme === 'standard_webhooks' ? headers['webhook-id'] : undefined) ?? body.id ?? headers['x-event-id'] ?? '');
    if (!eventId || eventId.length > 200) throw DomainException.validation([{ field: 'id', message: 'the event needs an id (body `id`, `webhook-id` or `X-Event-Id`)' }]);
    const type = typeof body.type === 'string' && body.type.length <= 200 ? body.type : 'unknown';

    const id = randomUUID();
    const inserted = await this.ds
      .createQueryBuilder()
      .insert()
      .into(IntegrationEvent)
      .values({ id, providerId: provider.id, eventId, type, payload: body as never, status: 'received', attempts: 0, receivedAt: this.clock.now() })
      .orIgnore()
      .execute();
    if ((inserted.raw as unknown[]).length === 0) {
      const existing = await this.ds.getRepository(IntegrationEvent).findOneByOrFail({ providerId: provider.id, eventId });
      return { received: true, duplicate: true, id: existing.id };
    }
    this.kick();
    return { received: true, duplicate: false, id };
  }

  /** Publishes what is `received` (after the answer went out); overlapping calls fold into one more pass. */
  kick(): void {
    if (this.processing) {
      this.again = true;
      return;
    }
    this.processing = (async () => {
      do {
        this.again = false;
        await this.processBatch().catch((err: unknown) => this.logger.warn({ err }, 'publishing integration events failed; the next sweep retries'));
      } while (this.again);
    })().finally(() => (this.processing = undefined));
  }

  private async processBatch(): Promise<void> {
    for (;;) {
      let done: number;
      try {
        done = await this.publish(50);
      } catch (err) {
        // One bad row must not hold the others back: publish one at a time, failing only the bad one.
        this.logger.warn({ err }, 'publishing a batch of integration events failed; trying one by one');
        await this.publishOneByOne();
        return;
      }
      if (done < 50) return;
    }
  }

  private async publishOneByOne(): Promise<void> {
    const pending = await this.ds.getRepository(IntegrationEvent).find({ where: { status: 'received' }, order: { receivedAt: 'ASC' }, take: 50 });
    for (const e of pending) {
      try {
        await this.publish(1, e.id);
      } catch (err) {
        await this.ds
          .getRepository(IntegrationEvent)
          .update({ id: e.id }, { status: 'failed', error: String((err as Error).message ?? err).slice(0, 1000), attempts: () => 'attempts + 1' });
      }
    }
  }

  private async publish(limit: number, onlyId?: string): Promise<number> {
    return this.ds.transaction(async (tx) => {
        const rows: Array<{ id: string }> = await tx.query(
          `SELECT id FROM integration_events WHERE status = 'received' ${onlyId ? 'AND id = $2' : ''} ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          onlyId ? [limit, onlyId] : [limit],
        );
        if (rows.length === 0) return 0;
        const events = await tx.findBy(IntegrationEvent, { id: In(rows.map((r) => r.id)) });
        const names = new Map((await tx.findBy(IntegrationProvider, { id: In([...new Set(events.map((e) => e.providerId))]) })).map((p) => [p.id, p.name]));
        for (const e of events) {
          await this.outbox.add<IntegrationEventReceivedData>(tx, {
            type: EventTypes.IntegrationEventReceived,
            actor: SYSTEM_ACTOR,
            data: { integration_event_id: e.id, provider_id: e.providerId, provider: names.get(e.providerId) ?? '', event_id: e.eventId, type: e.type, payload: e.payload },
          });
        }
        await tx.update(IntegrationEvent, { id: In(events.map((e) => e.id)) }, { status: 'processed', processedAt: this.clock.now(), error: null, attempts: () => 'attempts + 1' });
        return events.length;
      });
  }

  async list(req: ListIntegrationEventsRequest): Promise<ListResult<IntegrationEventView>> {
    requireAdmin(req.caller);
    const qb = this.ds.getRepository(IntegrationEvent).createQueryBuilder('e').innerJoinAndMapOne('e.provider', IntegrationProvider, 'p', 'p.id = e.provider_id');
    if (req.provider) qb.andWhere(UUID.test(req.provider) ? 'p.id = :provider' : 'p.name = :provider', { provider: req.provider });
    if (req.type) qb.andWhere('e.type = :type', { type: req.type });
    if (req.status) qb.andWhere('e.status = :status', { status: req.status });
    if (req.date_from) qb.andWhere('e.received_at >= :from', { from: new Date(req.date_from) });
    if (req.date_to) qb.andWhere('e.received_at <= :to', { to: new Date(req.date_to) });
    const page = await paginate(qb, req, { orderable: { received_at: 'receivedAt', type: 'type', status: 'status' }, defaultOrder: { received_at: 'DESC' } });
    return { count: page.count, results: page.results.map((e) => toIntegrationEventView(e, e.provider?.name ?? '')) };
  }

  /** Publishes a failed (or any) event again. */
  async retry(req: IntegrationEventRefRequest): Promise<IntegrationEventView> {
    requireAdmin(req.caller);
    const repo = this.ds.getRepository(IntegrationEvent);
    const e = await repo.findOneBy({ id: req.id });
    if (!e) throw IntegrationsException.eventNotFound();
    await repo.update({ id: e.id }, { status: 'received', processedAt: null });
    this.kick();
    const provider = await this.ds.getRepository(IntegrationProvider).findOneBy({ id: e.providerId });
    return toIntegrationEventView(await repo.findOneByOrFail({ id: e.id }), provider?.name ?? '');
  }
}
