import type { DataSource } from 'typeorm';
import { retryTransient } from '@saas/errors';

/** A delivery that succeeded (2xx) on an endpoint with no failure run to reset: recorded with others. */
export interface RecordedSuccess {
  deliveryId: string;
  /** attempts_count after this attempt. */
  attempts: number;
  at: Date;
  statusCode: number;
  latencyMs: number;
  snippet: string | null;
}

/**
 * How long a delivery's outcome is tried again while Postgres is unreachable. Well inside a run's
 * lease (the request's timeout plus LEASE_MARGIN_MS): no other replica takes the rows meanwhile.
 */
export const RECORD_RETRY_MS = 8_000;

/** `fn` (a delivery's outcome or lease written), tried again while Postgres is unreachable, for up to RECORD_RETRY_MS. */
export function whileDatabaseBlips<T>(fn: () => Promise<T>): Promise<T> {
  return retryTransient(fn, { deadlineMs: RECORD_RETRY_MS, baseMs: 100, maxMs: 1_000 });
}

interface Batch {
  items: RecordedSuccess[];
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Records the plain successes of every endpoint's run together (group commit): one statement
 * writes the attempts and marks the deliveries succeeded for whatever was sent meanwhile, across
 * endpoints, while the previous statement ran. A burst to 20 endpoints costs a statement every few
 * milliseconds, not one per endpoint every 16 messages. `add` resolves once the success is stored
 * (rejects if that statement failed); statements run one at a time, in the order added, so a
 * run's successes are stored in its order. Until stored, a sent row stays pending under its run's
 * lease: nothing claims it, and a replica that dies first leaves it to be sent again (same
 * webhook-id) when the lease expires, as a request in flight would be.
 *
 * Postgres gone for a moment (a restart, a failover) is a blip, not a failure: a statement that
 * fails transiently is tried again for up to RECORD_RETRY_MS (the run waits, its lease covers it),
 * so the run goes on once the database is back instead of leaving its rows leased until expiry.
 * Trying again after a commit whose answer was lost changes nothing: only pending rows are marked.
 */
export class SuccessRecorder {
  private next?: Batch;
  private running = false;

  constructor(private readonly ds: DataSource) {}

  add(success: RecordedSuccess): Promise<void> {
    if (!this.next) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Callers await the promise of their last success only: the others must not count as unhandled.
      done.catch(() => undefined);
      this.next = { items: [], done, resolve, reject };
    }
    this.next.items.push(success);
    if (!this.running) {
      this.running = true;
      // The answers that arrive in the same turn of the event loop join the first statement.
      setImmediate(() => void this.drain());
    }
    return this.next.done;
  }

  private async drain(): Promise<void> {
    try {
      while (this.next) {
        const batch = this.next;
        this.next = undefined;
        try {
          await this.write(batch.items);
          batch.resolve();
        } catch (err) {
          batch.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Attempts and the deliveries' successes together, in one statement; nothing for a delivery deleted meanwhile. */
  private async write(items: RecordedSuccess[]): Promise<void> {
    await whileDatabaseBlips(() => this.writeOnce(items));
  }

  private async writeOnce(items: RecordedSuccess[]): Promise<void> {
    await this.ds.query(
      `WITH s AS (
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::int[], $5::int[], $6::text[]) AS s(id, at, attempts, status_code, latency_ms, snippet)),
       d AS (
         UPDATE webhook_deliveries w SET status = 'succeeded', completed_at = s.at, next_attempt_at = NULL, attempts_count = s.attempts,
                last_status_code = s.status_code, locked_until = NULL
           FROM s WHERE w.id = s.id AND w.status = 'pending' RETURNING w.id)
       INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, latency_ms, response_snippet, error)
       SELECT gen_random_uuid(), s.id, s.at, s.status_code, s.latency_ms, s.snippet, NULL FROM s JOIN d ON d.id = s.id`,
      [
        items.map((x) => x.deliveryId),
        items.map((x) => x.at),
        items.map((x) => x.attempts),
        items.map((x) => x.statusCode),
        items.map((x) => x.latencyMs),
        items.map((x) => x.snippet),
      ],
    );
  }
}
