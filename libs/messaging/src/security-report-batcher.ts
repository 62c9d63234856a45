import type { Logger } from 'pino';
import type { IdentityRpc, SecurityReportItem } from '@saas/contracts';
import type { RpcClient } from './rpc-client.js';

type Item = Omit<SecurityReportItem, 'count' | 'occurred_at'>;

/**
 * Counts security signals seen outside identity (the gateway's 429s, inbound webhooks' bad
 * signatures) and reports them in one RPC every `flushMs`, however many a storm produces. Counts
 * that could not be reported are kept for the next batch; past `maxKeys` distinct keys, new ones are
 * dropped (and logged) rather than grow without bound.
 */
export class SecurityReportBatcher {
  private counts = new Map<string, Item & { count: number; occurred_at: string }>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly rpc: RpcClient,
    private readonly subject: typeof IdentityRpc.securityReport,
    private readonly logger: Logger,
    private readonly flushMs = 5_000,
    private readonly maxKeys = 500,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** One more of `item` (counted under `key`). */
  add(key: string, item: Item): void {
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else if (this.counts.size < this.maxKeys) this.counts.set(key, { ...item, count: 1, occurred_at: new Date().toISOString() });
    else this.logger.warn({ type: item.type }, 'security report batch is full; a signal was not counted');
  }

  async flush(): Promise<void> {
    if (this.counts.size === 0) return;
    const batch = this.counts;
    this.counts = new Map();
    try {
      await this.rpc.call(this.subject, { reports: [...batch.values()] });
    } catch (err) {
      this.logger.warn({ err, reports: batch.size }, 'could not report security signals; keeping them for the next report');
      for (const [key, e] of batch) {
        const now = this.counts.get(key);
        if (now) now.count += e.count;
        else if (this.counts.size < this.maxKeys) this.counts.set(key, e);
      }
    }
  }
}
