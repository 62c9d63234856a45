import type pg from 'pg';
import { openConnection } from './pg-client.js';

export interface SessionConnectionOptions {
  connectionString: string;
  applicationName: string;
  /** What the session holds, run on every (re)connect: a LISTEN, a session advisory lock. Throwing counts as not connected. */
  setup: (client: pg.Client) => Promise<void>;
  /** The session is (again) set up. */
  onUp?: () => void;
  /** The session was lost (Postgres restarted, the backend was terminated); it is reopened. */
  onDown?: (err: Error) => void;
  /** Waits between attempts to reopen it: doubling from the first, up to the last. */
  retryMs?: { first: number; max: number };
}

/**
 * A Postgres session that is kept: opened once, and opened (and set up) again whenever it is
 * lost, for as long as the owner runs. What a LISTEN or a session-level lock needs, which a
 * pool's connections cannot give. A session that was lost and never reopened left the webhooks
 * queue waiting for its poll after every Postgres restart.
 */
export class SessionConnection {
  private client?: pg.Client;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private attempt = 0;

  constructor(private readonly options: SessionConnectionOptions) {}

  /** Whether the session is open and set up now. */
  get up(): boolean {
    return this.client !== undefined;
  }

  /** The first attempt; on failure it keeps trying in the background (resolves either way). */
  async open(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let client: pg.Client | undefined;
    let lost = false;
    try {
      client = await openConnection({
        connectionString: this.options.connectionString,
        applicationName: this.options.applicationName,
        onLost: (err) => {
          lost = true;
          if (this.client !== client) return;
          this.client = undefined;
          this.options.onDown?.(err);
          this.retry();
        },
      });
      await this.options.setup(client);
      // Lost between the setup's answer and here: not up, try again.
      if (lost) throw new Error('session lost during its setup');
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.attempt = 0;
      this.options.onUp?.();
    } catch {
      await client?.end().catch(() => undefined);
      this.retry();
    }
  }

  private retry(): void {
    if (this.closed || this.timer) return;
    const { first, max } = this.options.retryMs ?? { first: 250, max: 5_000 };
    const wait = Math.min(max, first * 2 ** this.attempt++);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, wait);
    this.timer.unref();
  }
}
