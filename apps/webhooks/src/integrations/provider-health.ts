import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import axios from 'axios';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import {
  EventTypes,
  SYSTEM_ACTOR,
  type IntegrationProviderHealthChangedData,
  type IntegrationsHealthRequest,
  type IntegrationsHealthView,
  type ProviderHealthStatus,
} from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { Clock, runExclusive, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { WebhooksConfig } from '../config.js';
import { createGuardedAgents, describeRequestError, type GuardedAgents } from '../ssrf/guarded-agents.js';
import { IntegrationProvider } from './integration-provider.entity.js';
import { requireAdmin } from './providers.service.js';

const INTERVAL_NAME = 'integration-health';

/** `healthy` answers (< 500) within the threshold; slower is `degraded`; no answer or a 5xx is `down`. */
export function classifyHealth(status: number | null, latencyMs: number, degradedMs: number): ProviderHealthStatus {
  if (status === null || status >= 500) return 'down';
  return latencyMs > degradedMs ? 'degraded' : 'healthy';
}

/**
 * Checks each active provider's `api_base_url` on a schedule (once per tick across replicas), keeps
 * the result on the provider, and emits `integration.provider_health_changed` when it changes.
 * The probe connects through the guarded agents the webhook sender uses: a URL whose host resolves
 * (now, at connect time) to a loopback, private, link-local or metadata address is `down` with the
 * refusal as its error, and nothing connects to it — unless WEBHOOKS_ALLOW_PRIVATE_NETWORKS is on.
 * No keep-alive: every probe resolves and checks the name afresh.
 */
@Injectable()
export class ProviderHealth implements OnApplicationBootstrap, OnApplicationShutdown {
  private running?: Promise<unknown>;
  private readonly agents: GuardedAgents;

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: WebhooksConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.agents = createGuardedAgents({
      connectTimeoutMs: Math.min(config.WEBHOOK_CONNECT_TIMEOUT_MS, config.INTEGRATIONS_HEALTH_TIMEOUT_MS),
      allowPrivateNetworks: config.WEBHOOKS_ALLOW_PRIVATE_NETWORKS,
    });
  }

  onApplicationBootstrap(): void {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) return;
    this.scheduler.addInterval(
      INTERVAL_NAME,
      setInterval(() => {
        if (this.running) return;
        this.running = runExclusive(this.ds, INTERVAL_NAME, () => this.checkAll())
          .catch((err: unknown) => this.logger.warn({ err }, 'integration health check failed'))
          .finally(() => (this.running = undefined));
      }, this.config.INTEGRATIONS_HEALTH_INTERVAL_S * 1000),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
    await this.running;
    this.agents.destroy();
  }

  async checkAll(): Promise<void> {
    const providers = await this.ds.getRepository(IntegrationProvider).findBy({ isActive: true });
    await Promise.all(providers.filter((p) => p.apiBaseUrl).map((p) => this.check(p)));
  }

  private async check(provider: IntegrationProvider): Promise<void> {
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await axios.get(provider.apiBaseUrl!, {
        httpAgent: this.agents.httpAgent,
        httpsAgent: this.agents.httpsAgent,
        proxy: false,
        timeout: this.config.INTEGRATIONS_HEALTH_TIMEOUT_MS,
        maxRedirects: 0,
        validateStatus: () => true,
        responseType: 'text',
        maxContentLength: 64 * 1024,
      });
      status = res.status;
      if (status >= 500) error = `HTTP ${status}`;
    } catch (err) {
      error = describeRequestError(err);
    }
    const latency = Math.round(performance.now() - started);
    const next = classifyHealth(status, latency, this.config.INTEGRATIONS_DEGRADED_MS);
    await this.ds.transaction(async (tx) => {
      const current = await tx.findOne(IntegrationProvider, { where: { id: provider.id }, lock: { mode: 'pessimistic_write' } });
      if (!current) return;
      await tx.update(IntegrationProvider, { id: provider.id }, { healthStatus: next, healthResponseMs: status === null ? null : latency, healthCheckedAt: this.clock.now(), healthError: error });
      if (current.healthStatus !== next) {
        await this.outbox.add<IntegrationProviderHealthChangedData>(tx, {
          type: EventTypes.IntegrationProviderHealthChanged,
          actor: SYSTEM_ACTOR,
          data: { provider_id: provider.id, provider: provider.name, from: current.healthStatus, to: next, response_time_ms: status === null ? null : latency },
        });
      }
    });
  }

  async overview(req: IntegrationsHealthRequest): Promise<IntegrationsHealthView> {
    requireAdmin(req.caller);
    const providers = await this.ds.getRepository(IntegrationProvider).find({ where: { isActive: true }, order: { name: 'ASC' } });
    const checked = providers.filter((p) => p.healthStatus !== 'unknown');
    const status: IntegrationsHealthView['status'] =
      checked.length === 0 ? 'unknown' : checked.every((p) => p.healthStatus === 'healthy') ? 'healthy' : checked.every((p) => p.healthStatus === 'down') ? 'down' : 'degraded';
    return {
      status,
      providers: providers.map((p) => ({
        id: p.id,
        name: p.name,
        status: p.healthStatus,
        response_time_ms: p.healthResponseMs,
        last_check_at: p.healthCheckedAt?.toISOString() ?? null,
        error: p.healthError,
      })),
    };
  }
}
