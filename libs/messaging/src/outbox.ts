import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { createEnvelope, type EventEnvelope, type NewEvent } from '@saas/contracts';
import { backoffDelay, transientKind } from '@saas/errors';
import { CORRELATION_HEADER, eventsPublished, injectTraceContext, workContext } from '@saas/observability';
import type { SubjectNaming } from './naming.js';
import { openConnection } from '@saas/database';

function notifyChannel(schema: string): string {
  return `outbox_${schema}`;
}

/**
 * Writes events into the service's outbox inside the caller's transaction, so an event exists if and
 * only if its state change was committed. Correlation, causation and actor default to the current
 * unit of work's.
 */
export class EventOutbox {
  constructor(
    private readonly naming: SubjectNaming,
    private readonly schema: string,
    /**
     * The contract every event is held to before it is written (the platform's services pass
     * `eventContractViolation`, the event catalogue): a description of what is wrong, or null. A
     * violation is a producer's bug, so it fails the transaction instead of publishing it.
     */
    private readonly contract?: (type: string, data: unknown) => string | null,
  ) {}

  async add<TData>(tx: EntityManager, event: NewEvent<TData>): Promise<EventEnvelope<TData>> {
    const [envelope] = await this.addMany(tx, [event]);
    return envelope!;
  }

  /**
   * Several events of one transaction in one INSERT and one notification (a batch job writing
   * hundreds of events pays two round trips, not two per event). Order is kept: the rows take
   * their `seq` in array order.
   */
  async addMany<TData>(tx: EntityManager, events: ReadonlyArray<NewEvent<TData>>): Promise<Array<EventEnvelope<TData>>> {
    if (!tx.queryRunner?.isTransactionActive) {
      throw new Error('EventOutbox.add must be called inside a transaction (the one that changes the state)');
    }
    if (events.length === 0) return [];
    for (const event of events) {
      const violation = this.contract?.(event.type, event.data);
      if (violation) throw new Error(`event not written, it breaks its contract: ${violation}`);
    }
    const ctx = workContext.get();
    const headers: Record<string, string> = {};
    injectTraceContext((k, v) => (headers[k] = v));
    const envelopes = events.map((event) =>
      createEnvelope({
        ...event,
        correlationId: event.correlationId ?? ctx?.correlationId ?? null,
        causationId: event.causationId ?? ctx?.causationId ?? null,
        ...(event.actor ?? ctx?.actor ? { actor: (event.actor ?? ctx?.actor)! } : {}),
      }),
    );
    // One statement with one parameter for the rows, in order (seq follows it, and the relay
    // publishes by seq), and the notification in the same statement: one round trip per batch
    // (issue 9). Not TypeORM's multi-row insert: it builds one parameter per value and copies the
    // whole parameter map for each, which for a renewal batch's 800 events took the event loop for
    // hundreds of milliseconds at a time (RPCs on the same loop waited behind it). The notification
    // reaches the relay only when (and if) this transaction commits.
    await tx.query(
      `WITH written AS (
         INSERT INTO outbox (id, subject, type, envelope, headers)
         SELECT (r.e->>'id')::uuid, r.e->>'subject', r.e->>'type', r.e->'envelope', r.e->'headers'
           FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(e, ord) ORDER BY r.ord
       )
       SELECT pg_notify($2, $3)`,
      [
        JSON.stringify(
          envelopes.map((envelope) => ({
            id: envelope.id,
            subject: this.naming.event(envelope.type),
            type: envelope.type,
            envelope,
            headers: envelope.correlation_id ? { ...headers, [CORRELATION_HEADER]: envelope.correlation_id } : headers,
          })),
        ),
        notifyChannel(this.schema),
        envelopes[0]!.id,
      ],
    );
    return envelopes;
  }
}

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Fallback poll when no notification arrives (e.g. the LISTEN connection dropped). */
  pollMs?: number;
  /** Published rows are kept this long for inspection, then deleted. */
  retentionMs?: number;
}

interface OutboxRow {
  id: string;
  subject: string;
  type: string;
  envelope: Record<string, unknown>;
  headers: Record<string, string>;
}

/**
 * Publishes committed outbox rows to JetStream with `Nats-Msg-Id = event id`, oldest first.
 * One transaction per batch holds a per-schema advisory lock, so among N replicas one relays at a
 * time (keeping order) and a row is never published twice at once; a row is marked published in the
 * same transaction, so a crash between publish and commit re-publishes it, and JetStream's dedupe
 * window plus the consumers' inbox absorb the duplicate.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** Set by a NOTIFY; read after each pass so one that arrives mid-pass is not lost. */
  private notified = false;
  private listener?: pg.Client;
  private lastListen = 0;
  /** Passes in a row that failed (NATS or Postgres away): the wait before the next one grows. */
  private failures = 0;
  private lastCleanup = 0;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly retentionMs: number;

  constructor(
    private readonly ds: DataSource,
    private readonly js: JetStreamClient,
    private readonly logger: Logger,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.pollMs = options.pollMs ?? 1_000;
    this.retentionMs = options.retentionMs ?? 24 * 3600_000;
  }

  private get schema(): string {
    return (this.ds.options as { schema?: string }).schema ?? 'public';
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  private async listen(): Promise<void> {
    const url = (this.ds.options as { url?: string }).url;
    this.lastListen = Date.now();
    try {
      const client = await openConnection({
        connectionString: url ?? '',
        applicationName: `${this.schema}-outbox-listener`,
        onLost: (err) => {
          // Fixed: the listener was never opened again, so after a Postgres restart every event
          // waited for the poll. It is reopened by the loop (polling covers the gap).
          this.logger.warn({ err: err.message }, 'outbox LISTEN connection lost; polling until it is back');
          if (this.listener === client) this.listener = undefined;
        },
      });
      client.on('notification', () => {
        this.notified = true;
        this.wake?.();
      });
      await client.query(`LISTEN "${notifyChannel(this.schema)}"`);
      this.listener = client;
    } catch (err) {
      this.logger.warn({ err }, 'could not LISTEN for outbox notifications; polling only');
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      this.notified = false;
      if (!this.listener && Date.now() - this.lastListen >= Math.min(this.pollMs * 2, 5_000)) await this.listen();
      try {
        published = await this.relayOnce();
        await this.cleanup();
      } catch (err) {
        this.failures++;
        // Transient is not failure: Postgres away is retried with backoff, quietly; anything else is a bug.
        if (transientKind(err)) this.logger.warn({ err: (err as Error).message, failures: this.failures }, 'outbox relay cannot reach Postgres; will retry');
        else this.logger.error({ err }, 'outbox relay iteration failed');
      }
      if (this.failures > 0) {
        await this.pause(backoffDelay(this.failures, Math.min(this.pollMs, 250), Math.max(this.pollMs, 5_000)));
        continue;
      }
      // Fixed: a NOTIFY that arrived while a pass ran found no `wake` to call and was dropped, so
      // that event waited a full poll interval; `notified` makes the loop go round again at once.
      if (published >= this.batchSize || !this.running || this.notified) continue;
      await this.pause(this.pollMs);
    }
  }

  /** Waits `ms`, or until a NOTIFY (or stop) wakes the loop. */
  private async pause(ms: number): Promise<void> {
    if (!this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  /** Publishes one batch; returns how many rows were published. */
  async relayOnce(): Promise<number> {
    return this.ds.transaction(async (tx) => {
      const [{ locked }] = await tx.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [`outbox-relay:${this.schema}`]);
      if (!locked) return 0;
      const rows: OutboxRow[] = await tx.query(
        `SELECT id, subject, type, envelope, headers FROM outbox
          WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      const done: string[] = [];
      let failed = false;
      for (const row of rows) {
        const h = natsHeaders();
        for (const [k, v] of Object.entries(row.headers ?? {})) h.set(k, v);
        try {
          await this.js.publish(row.subject, JSON.stringify(row.envelope), { msgID: row.id, headers: h, timeout: 5_000 });
        } catch (err) {
          // Stop at the first failure so events keep their order; the row is tried again next time.
          await tx.query('UPDATE outbox SET publish_attempts = publish_attempts + 1, last_error = $2 WHERE id = $1', [
            row.id,
            String((err as Error).message ?? err).slice(0, 1000),
          ]);
          failed = true;
          const kind = transientKind(err);
          if (kind) this.logger.warn({ err: (err as Error).message, transient: kind, event_id: row.id, type: row.type }, 'NATS cannot take outbox events now; will retry');
          else this.logger.warn({ err, event_id: row.id, type: row.type }, 'publishing an outbox event failed; will retry');
          break;
        }
        done.push(row.id);
        eventsPublished.inc({ type: row.type });
      }
      if (done.length > 0) {
        await tx.query(
          'UPDATE outbox SET published_at = now(), publish_attempts = publish_attempts + 1, last_error = NULL WHERE id = ANY($1::uuid[])',
          [done],
        );
      }
      // A failed publish backs the loop off (the row stays first in line); a clean pass resets it.
      this.failures = failed ? this.failures + 1 : 0;
      return done.length;
    });
  }

  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await this.ds.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE published_at < now() - ($1::text || ' milliseconds')::interval LIMIT 1000)`,
      [String(this.retentionMs)],
    );
  }

  /** Rows committed but not yet published (for health and tests). */
  async backlog(): Promise<number> {
    const [{ n }] = await this.ds.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
    return n;
  }
}
