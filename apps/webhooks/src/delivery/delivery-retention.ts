import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { Clock, runExclusive, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { WebhooksConfig } from '../config.js';

const INTERVAL_NAME = 'webhooks-retention';

/**
 * Deletes finished deliveries (with their attempts) and published inbound events older than
 * WEBHOOK_RETENTION_DAYS, hourly, once across replicas. Pending and failed-but-recent rows stay.
 */
@Injectable()
export class DeliveryRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private running?: Promise<unknown>;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: WebhooksConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) return;
    this.scheduler.addInterval(
      INTERVAL_NAME,
      setInterval(() => {
        if (this.running) return;
        this.running = runExclusive(this.ds, INTERVAL_NAME, () => this.prune())
          .catch((err: unknown) => this.logger.warn({ err }, 'webhooks retention failed'))
          .finally(() => (this.running = undefined));
      }, 3_600_000),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', INTERVAL_NAME)) this.scheduler.deleteInterval(INTERVAL_NAME);
    await this.running;
  }

  /** One pass; returns what it deleted. */
  async prune(): Promise<{ deliveries: number; integration_events: number }> {
    const cutoff = new Date(this.clock.now().getTime() - this.config.WEBHOOK_RETENTION_DAYS * 86_400_000);
    let deliveries = 0;
    let events = 0;
    for (;;) {
      const [, n] = (await this.ds.query(
        `DELETE FROM webhook_deliveries WHERE id IN (
           SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND completed_at < $1 LIMIT 1000)`,
        [cutoff],
      )) as [unknown, number];
      deliveries += n;
      if (n < 1000) break;
    }
    for (;;) {
      const [, n] = (await this.ds.query(
        `DELETE FROM integration_events WHERE id IN (
           SELECT id FROM integration_events WHERE status = 'processed' AND processed_at < $1 LIMIT 1000)`,
        [cutoff],
      )) as [unknown, number];
      events += n;
      if (n < 1000) break;
    }
    if (deliveries || events) this.logger.info({ deliveries, integration_events: events }, 'old webhook deliveries and inbound events deleted');
    return { deliveries, integration_events: events };
  }
}
