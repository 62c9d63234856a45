import type { NatsConnection } from '@nats-io/transport-node';

/** Whether a NATS connection is up right now, as its status events tell (readiness needs this, not `isClosed`). */
export interface NatsConnectionState {
  readonly connected: boolean;
  /** Since when it has been down (ms epoch), or null when up. */
  readonly downSince: number | null;
}

/**
 * Follows a connection's status: down from the moment it is lost (the client keeps reconnecting
 * for ever, so `isClosed()` stays false the whole time), up again once it has reconnected.
 */
export function watchNatsConnection(nc: NatsConnection): NatsConnectionState {
  let downSince: number | null = nc.isClosed() ? Date.now() : null;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'staleConnection' || s.type === 'close') downSince ??= Date.now();
      else if (s.type === 'reconnect') downSince = null;
    }
  })().catch(() => undefined);
  return {
    get connected() {
      return downSince === null && !nc.isClosed();
    },
    get downSince() {
      return nc.isClosed() ? (downSince ?? Date.now()) : downSince;
    },
  };
}

/** Settles with the promise, or rejects after `ms` (a paused server leaves requests hanging). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]);
}
