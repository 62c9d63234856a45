import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { SubjectNaming } from './naming.js';

/** `user`/`pass`: the process's NATS principal when the server enforces permissions (deploy/nats); omitted when empty. */
export async function connectNats(url: string, name: string, auth: { user?: string; pass?: string } = {}): Promise<NatsConnection> {
  const nc = await connect({
    ...(auth.user ? { user: auth.user, pass: auth.pass ?? '' } : {}),
    servers: url.split(',').map((s) => s.trim()),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    timeout: 5_000,
    // nats.js builds an Error (a stack trace) up front for every request, only to show where a
    // timed-out request came from: a per-request cost on the hot path (issue 9's gateway profile).
    // Timeouts still fail with their TimeoutError; the RPC client names the subject itself.
    noAsyncTraces: true,
  });
  coalesceWrites(nc);
  return nc;
}

/** The parts of nats.js's protocol handler (`nc.protocol`, not public API) that coalesceWrites replaces. */
interface ProtocolHandlerLike {
  outbound: { fill(buf: Uint8Array, ...payloads: Uint8Array[]): void; size(): number };
  pendingLimit: number;
  sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void;
  flushPending(): void;
}

const encoder = new TextEncoder();

/**
 * One socket write per event-loop iteration instead of one per request (issue 9). nats.js writes its
 * outbound buffer in a microtask after the first command of a tick, so a gateway or service under load
 * makes a `write` syscall for every RPC request or reply it sends: about a quarter of the gateway's
 * busy time in the profiles. Deferring that write to `setImmediate` (the same iteration, after the
 * poll phase) sends every command queued while one batch of sockets was read in one write. A full
 * buffer is still written at once, and `flush()` (PING) still writes everything pending. Returns false,
 * changing nothing, if the handler does not have the shape this relies on (another nats.js version).
 */
export function coalesceWrites(nc: NatsConnection): boolean {
  const proto = (nc as unknown as { protocol?: Partial<ProtocolHandlerLike> }).protocol;
  if (!proto || typeof proto.sendCommand !== 'function' || typeof proto.flushPending !== 'function' || typeof proto.outbound?.fill !== 'function' || typeof proto.pendingLimit !== 'number') return false;
  const handler = proto as ProtocolHandlerLike;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    handler.flushPending();
  };
  handler.sendCommand = (cmd, ...payloads) => {
    handler.outbound.fill(typeof cmd === 'string' ? encoder.encode(cmd) : cmd, ...payloads);
    if (handler.outbound.size() >= handler.pendingLimit) {
      handler.flushPending();
    } else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return true;
}

const DAY_NS = 24 * 3600 * 1e9;

/**
 * The one stream of the platform's events (`events.>`), created or brought up to date by whichever
 * process starts first. Messages are kept 7 days so a consumer that was down catches up; the
 * 2-minute duplicate window makes a re-published outbox row a no-op (the inbox covers the rest).
 */
export async function ensureEventStream(jsm: JetStreamManager, naming: SubjectNaming, maxAgeDays = 7): Promise<void> {
  const config = {
    name: naming.streamName,
    subjects: [naming.eventsWildcard],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: maxAgeDays * DAY_NS,
    duplicate_window: 120 * 1e9,
  };
  try {
    const info = await jsm.streams.info(config.name);
    if (!info.config.subjects?.includes(naming.eventsWildcard)) {
      await jsm.streams.update(config.name, { subjects: config.subjects });
    }
  } catch (err) {
    if (!/stream not found/i.test((err as Error).message)) throw err;
    try {
      await jsm.streams.add(config);
    } catch (addErr) {
      // Another replica created it between our info and add.
      if (!/already in use|exists/i.test((addErr as Error).message)) throw addErr;
    }
  }
}
