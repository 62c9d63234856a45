import { DomainException } from './domain.exception.js';

/**
 * Transient is not failure (ARCHITECTURE.md § Messaging). One classification for every retry loop
 * (provisioning jobs, event handlers, the outbox relay): an error that says "the other side could
 * not be reached or could not answer right now" is retried with backoff until a deadline; anything
 * else — validation, a definite refusal, a bug — is an answer and is not retried as if it were a
 * blip.
 *
 * Recognised by shape, not by class, so this lib depends on neither the NATS nor the pg client
 * (and an error that crossed a wrapper — TypeORM's QueryFailedError, an Error `cause` — still counts).
 */

/** Postgres SQLSTATEs meaning "the connection or the server went away", or "run the transaction again". */
const TRANSIENT_SQLSTATE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  '55P03', // lock_not_available (lock_timeout)
  '57P01', // admin_shutdown (server restarted, connection terminated)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up / shutting down)
  '57014', // query_canceled (statement_timeout while the server was stalled)
]);

/** Node socket errors of a peer that is down or unreachable for now. */
const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** The NATS client's error classes for "not connected / nobody answered / no answer in time". */
const TRANSIENT_NATS = new Set(['TimeoutError', 'NoRespondersError', 'ClosedConnectionError', 'DrainingConnectionError', 'ConnectionError']);

/** TypeORM's names for "the connection under this transaction went away" (Postgres restarted mid-query). */
const TRANSIENT_TYPEORM = new Set(['QueryRunnerProviderAlreadyReleasedError', 'QueryRunnerAlreadyReleasedError', 'ConnectionIsNotSetError', 'CannotConnectAlreadyConnectedError']);

/** Messages of clients that do not set a code (pg, pg-pool, TypeORM, NATS JetStream publish). */
const TRANSIENT_MESSAGE =
  /connection terminated|terminating connection|connection (?:is )?(?:closed|lost|refused|reset)|timeout exceeded when trying to connect|not queryable|the database system is (?:starting up|shutting down|in recovery mode)|no responders|disconnect|reconnecting/i;

/** Codes of the platform's own RPC errors that mean "the service did not answer" (503/504). */
const TRANSIENT_CODES = new Set(['SERVICE_UNAVAILABLE', 'SERVICE_TIMEOUT']);

export type TransientKind = 'rpc' | 'nats' | 'postgres' | 'network';

/** What kind of transient failure `err` is, or null when it is an answer (permanent or a bug). */
export function transientKind(err: unknown, depth = 0): TransientKind | null {
  if (err === null || typeof err !== 'object' || depth > 4) return null;
  if (err instanceof DomainException) {
    // A 503/504 from the RPC layer; a service's own 503 answer with another code (e.g. maintenance) is also "later".
    return TRANSIENT_CODES.has(err.code) || err.status === 503 || err.status === 504 ? 'rpc' : null;
  }
  const e = err as { code?: unknown; errno?: unknown; name?: unknown; message?: unknown; cause?: unknown; driverError?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined) {
    if (TRANSIENT_SQLSTATE.has(code) || code.startsWith('08')) return 'postgres';
    if (TRANSIENT_ERRNO.has(code)) return 'network';
  }
  if (typeof e.name === 'string' && TRANSIENT_NATS.has(e.name)) return 'nats';
  if (typeof e.name === 'string' && TRANSIENT_TYPEORM.has(e.name)) return 'postgres';
  // NATS RequestError wraps "no responders" and timeouts; JetStream publish reports the same.
  if (typeof e.name === 'string' && /^(RequestError|JetStreamError|JetStreamApiError)$/.test(e.name) && /no responders|timeout|timed out/i.test(String(e.message))) {
    return 'nats';
  }
  if (typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message)) return 'network';
  return transientKind(e.driverError, depth + 1) ?? transientKind(e.cause, depth + 1);
}

export function isTransient(err: unknown): boolean {
  return transientKind(err) !== null;
}

/**
 * Exponential backoff with jitter on the upper half: `attempt` 1 waits about `baseMs`, each further
 * attempt doubles it up to `maxMs`; a burst of retries spreads out, and never retries at once.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/**
 * Runs `fn`, trying again after a backoff while it fails transiently (a service restarting, Postgres
 * coming back), for at most `deadlineMs`; a permanent failure, or the deadline, ends it with the
 * last error. For work that has nobody else to retry it (a background run's RPC).
 */
export async function retryTransient<T>(
  fn: () => Promise<T>,
  opts: {
    deadlineMs: number;
    baseMs?: number;
    maxMs?: number;
    signal?: AbortSignal;
    /** Errors that are answers whatever their shape (never retried). */
    permanent?: (err: unknown) => boolean;
    /** Told before each wait (to log it). */
    onRetry?: (err: unknown, kind: TransientKind, attempt: number, waitMs: number) => void;
  },
): Promise<T> {
  const until = Date.now() + opts.deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const wait = backoffDelay(attempt, opts.baseMs ?? 200, opts.maxMs ?? 5_000);
      const kind = opts.permanent?.(err) ? null : transientKind(err);
      if (!kind || Date.now() + wait > until || opts.signal?.aborted) throw err;
      opts.onRetry?.(err, kind, attempt, wait);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
