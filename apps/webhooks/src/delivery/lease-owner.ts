import { randomInt } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { SessionConnection } from '@saas/database';
import { SERVICE_LOGGER } from '@saas/service-kit';

/** A positive int4 from a name (FNV-1a): the advisory-lock namespace of one schema's leases. */
export function leaseNamespace(schema: string): number {
  let h = 0x811c9dc5;
  for (const ch of `webhook-leases:${schema}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h & 0x7fffffff) || 1;
}

/**
 * This replica's name on the leases it takes, and the proof that it is alive: a session advisory
 * lock (namespace, key) held on a session of its own. A lease runs for a request's timeout and a
 * margin (25 s by default); a replica that is SIGKILLed, or whose machine goes away, would leave its
 * claimed deliveries waiting that long. Its sessions end with it, so the lock goes, and a claim
 * treats a lease whose owner holds no lock as free: another replica, or this one restarted, sends
 * them again at once (same webhook-id). While the session is down (Postgres restarting) the key is
 * null: leases are taken by time alone. Others may then think this replica gone and send what it is
 * sending — a duplicate under the same webhook-id, never a loss.
 */
@Injectable()
export class LeaseOwner implements OnModuleInit {
  readonly namespace: number;
  private key = randomInt(1, 2 ** 31 - 1);
  private session?: SessionConnection;

  constructor(
    private readonly ds: DataSource,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.namespace = leaseNamespace((ds.options as { schema?: string }).schema ?? 'public');
  }

  /** The key to write on a lease now; null while the lock is not held. */
  get current(): number | null {
    return this.session?.up ? this.key : null;
  }

  async onModuleInit(): Promise<void> {
    // One session, however often the hook is called (a second would hold a second lock).
    if (this.session) return;
    this.session = new SessionConnection({
      connectionString: (this.ds.options as { url?: string }).url ?? '',
      applicationName: 'webhooks-lease-owner',
      setup: async (client) => {
        // The same key again after a reconnect (its leases are this replica's); another if taken.
        for (let tries = 0; ; tries++) {
          const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [this.namespace, this.key]);
          if (rows[0]?.ok) return;
          if (tries >= 5) throw new Error('no free lease-owner key');
          this.key = randomInt(1, 2 ** 31 - 1);
        }
      },
      onDown: (err) => this.logger.warn({ err: err.message }, 'webhook lease-owner session lost; leases are taken by time alone until it is back'),
    });
    await this.session.open();
  }

  /** Lets go of the lock: the worker calls it once its runs are over (before, others would send them too). */
  async close(): Promise<void> {
    await this.session?.close();
  }
}
