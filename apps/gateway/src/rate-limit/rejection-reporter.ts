import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { IdentityRpc, type SecurityReportItem } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { GATEWAY_LOGGER } from '../tokens.js';
import { isInfraRoute } from './request-limits.hook.js';

/** Distinct (tier, route) counters kept between flushes; past it, rejections go to one overflow bucket. */
const MAX_KEYS = 500;

/**
 * Counts the gateway's rate-limit rejections (429 RATE_LIMIT_EXCEEDED) by tier and route pattern and
 * reports them to identity every `flushMs`, for `GET security/metrics`. One RPC per interval, however
 * many 429s a storm produces; counts that could not be reported are kept and sent with the next batch.
 */
@Injectable()
export class RateLimitRejectionReporter implements OnModuleInit, OnApplicationShutdown {
  private counts = new Map<string, { tier: string; route: string; ip: string | null; count: number; since: string }>();
  private timer?: NodeJS.Timeout;
  readonly flushMs = 5_000;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** A 429 of the limits was sent for this request. */
  rejected(request: FastifyRequest): void {
    const pattern = request.routeOptions.url;
    const route = pattern === undefined ? 'unmatched' : `${request.method} ${pattern}`;
    const tier = pattern !== undefined && isInfraRoute(pattern) ? 'infra' : (request.principal?.tier ?? 'anonymous');
    // By address too: a storm from one address is a threat an admin can block (security/threats).
    let ip: string | null = request.ip ?? null;
    let key = `${tier} ${route} ${ip}`;
    if (!this.counts.has(key) && this.counts.size >= MAX_KEYS) {
      key = `${tier} other`;
      ip = null;
    }
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { tier, route: ip === null ? 'other' : route, ip, count: 1, since: new Date().toISOString() });
  }

  async flush(): Promise<void> {
    if (this.counts.size === 0) return;
    const batch = this.counts;
    this.counts = new Map();
    const reports: SecurityReportItem[] = [...batch.values()].map((e) => ({
      type: 'rate_limited',
      count: e.count,
      tier: e.tier,
      route: e.route,
      ...(e.ip ? { ip: e.ip } : {}),
      occurred_at: e.since,
    }));
    try {
      await this.rpc.call(IdentityRpc.securityReport, { reports });
    } catch (err) {
      this.logger.warn({ err, rejections: reports.length }, 'could not report rate-limit rejections; keeping them for the next report');
      for (const [key, e] of batch) {
        const now = this.counts.get(key);
        if (now) now.count += e.count;
        else if (this.counts.size < MAX_KEYS) this.counts.set(key, e);
      }
    }
  }
}
