import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Logger } from 'pino';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { BillingConfig } from '../config.js';
import { RenewalService } from './renewal.service.js';

/**
 * Ticks on every replica every BILLING_RENEWAL_INTERVAL_MS; every replica renews at once, on batches
 * claimed FOR UPDATE SKIP LOCKED (so never the same subscription), and a replica runs one round at a time.
 */
@Injectable()
export class RenewalScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private running?: Promise<unknown>;

  constructor(
    private readonly renewals: RenewalService,
    private readonly registry: SchedulerRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: BillingConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    // The hook can run more than once (init, then listen): one interval per replica.
    if (this.registry.doesExist('interval', 'billing-renewals')) return;
    const timer = setInterval(() => void this.tick(), this.config.BILLING_RENEWAL_INTERVAL_MS);
    timer.unref();
    this.registry.addInterval('billing-renewals', timer);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', 'billing-renewals')) this.registry.deleteInterval('billing-renewals');
    await this.running;
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.renewals.runRound().catch((err: unknown) => this.logger.error({ err }, 'billing renewal round failed'));
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }
}
