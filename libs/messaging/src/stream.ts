import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { SubjectNaming } from './naming.js';

/** `user`/`pass`: the process's NATS principal when the server enforces permissions (deploy/nats); omitted when empty. */
export async function connectNats(url: string, name: string, auth: { user?: string; pass?: string } = {}): Promise<NatsConnection> {
  return connect({
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
