import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type Consumer, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { IdentityEventTypes, type EventEnvelope } from '@saas/contracts';
import { backoffDelay } from '@saas/errors';
import { SubjectNaming } from '@saas/messaging';
import type { GatewayConfig } from '../config.js';
import { GATEWAY_CONFIG, GATEWAY_LOGGER, NATS_CONNECTION } from '../tokens.js';
import type { Principal } from './principal.js';

/** At most this many revoked ids are remembered per kind (oldest forgotten first): memory stays flat. */
const MAX_ENTRIES = 200_000;

/** The events that end credentials, read from the stream (one filter subject per consumer: NATS 2.9). */
const FILTERS = ['user.>', IdentityEventTypes.ApiKeyRevoked, IdentityEventTypes.SecurityTokenReuseDetected];

/** Pulls expire this often, so the server's idle heartbeats (half of it) reveal a dead consumer quickly. */
const PULL_EXPIRES_MS = 5_000;

/** How long the gateway's start waits for the readers to catch up before serving (failing closed) anyway. */
const STARTUP_CATCH_UP_MS = 3_000;

type Data = {
  user_id?: string;
  session_id?: string;
  session_ids?: string[];
  api_key_id?: string;
};

/** Ids, each forgotten `retentionMs` after it was revoked (Map order is revocation order). */
class ExpiringSet {
  private readonly until = new Map<string, number>();

  constructor(private readonly retentionMs: number) {}

  get size(): number {
    return this.until.size;
  }

  add(id: string, revokedAtMs: number, now: number): void {
    const until = revokedAtMs + this.retentionMs;
    if (until <= now) return;
    this.until.delete(id);
    this.until.set(id, until);
    for (const [oldest, t] of this.until) {
      if (t > now && this.until.size <= MAX_ENTRIES) break;
      this.until.delete(oldest);
    }
  }

  has(id: string, now: number): boolean {
    const until = this.until.get(id);
    return until !== undefined && until > now;
  }
}

export interface RevocationReaderStatus {
  filter: string;
  /** Read up to the end of the stream within the last few checks. */
  caught_up: boolean;
  /** Where it resumes after a restart of NATS or of its consumer (stream sequence). */
  next_seq: number | null;
  last_error: string | null;
}

/**
 * One kind of revocation event, followed from the stream for as long as the gateway runs.
 *
 * Fixed (issue 15): the ordered consumer used to start at a time (`opt_start_time`); when NATS
 * restarted, the client re-created it "from the next sequence" while keeping that start time, which
 * the server refuses (`consumer delivery policy is deliver by start sequence, but optional start
 * time is also set`), so the reader stopped for good and the gateway kept trusting its stale list.
 * Now the start time is turned into a stream sequence once, every consumer starts from a sequence
 * (the last one seen + 1), and whenever the reading ends — for whatever reason — it starts again
 * from there. Whether it is caught up is checked against the server, not assumed.
 */
class RevocationReader {
  nextSeq: number | undefined;
  lastError: string | null = null;
  private consumer?: Consumer;
  private messages?: ConsumerMessages;
  /** The last message handled: its consumer (a re-created one has a new name) and delivery sequence. */
  private handled?: { consumer: string; dseq: number };
  private freshUntil = 0;
  private stopped = false;

  constructor(
    readonly filter: string,
    private readonly nats: NatsConnection,
    private readonly naming: SubjectNaming,
    private readonly since: () => string,
    private readonly apply: (msg: JsMsg) => void,
    private readonly logger: Logger,
  ) {}

  fresh(now: number): boolean {
    return now < this.freshUntil;
  }

  /** Not trusted from now on, until a check proves it caught up again. */
  distrust(): void {
    this.freshUntil = 0;
  }

  status(now: number): RevocationReaderStatus {
    return { filter: this.filter, caught_up: this.fresh(now), next_seq: this.nextSeq ?? null, last_error: this.lastError };
  }

  async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        this.nextSeq ??= await this.startSequence();
        const consumer = await jetstream(this.nats).consumers.get(this.naming.streamName, {
          filter_subjects: this.naming.event(this.filter),
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: this.nextSeq,
        });
        const messages = await consumer.consume({ max_messages: 256, expires: PULL_EXPIRES_MS });
        this.consumer = consumer;
        this.messages = messages;
        this.handled = undefined;
        failures = 0;
        if (this.stopped) messages.stop();
        for await (const msg of messages) {
          this.apply(msg);
          this.nextSeq = msg.seq + 1;
          this.handled = { consumer: msg.info.consumer, dseq: msg.info.deliverySequence };
        }
        if (!this.stopped) this.lastError = 'the consumer stopped';
      } catch (err) {
        // No stream yet (no service has started), NATS away, or the consumer refused: start again.
        this.lastError = (err as Error).message ?? String(err);
      }
      this.consumer = undefined;
      this.messages = undefined;
      this.distrust();
      if (this.stopped) return;
      const delay = backoffDelay(++failures, 250, 5_000);
      this.logger.warn({ filter: this.filter, err: this.lastError, resume_at_seq: this.nextSeq ?? null, retry_in_ms: delay }, 'reading credential revocations interrupted; resuming');
      await new Promise((r) => setTimeout(r, delay).unref());
    }
  }

  /**
   * Caught up when the server has nothing more to deliver and everything it delivered was handled.
   * Called periodically; a reader that misses checks (NATS paused, consumer gone) stops being fresh.
   */
  async check(staleAfterMs: number, timeoutMs: number): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    try {
      const info = await Promise.race([
        consumer.info(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('consumer info timed out')), timeoutMs).unref()),
      ]);
      const delivered = info.delivered.consumer_seq;
      const handledAll = delivered === 0 || (this.handled?.consumer === info.name && this.handled.dseq >= delivered);
      if (info.num_pending === 0 && handledAll) {
        this.freshUntil = Date.now() + staleAfterMs;
        this.lastError = null;
      }
    } catch (err) {
      this.lastError = (err as Error).message ?? String(err);
    }
  }

  stop(): void {
    this.stopped = true;
    this.messages?.stop();
  }

  /** The stream sequence of the first message at or after `since` (a throwaway consumer tells it). */
  private async startSequence(): Promise<number> {
    const jsm = await jetstreamManager(this.nats);
    const probe = await jsm.consumers.add(this.naming.streamName, {
      filter_subject: this.naming.event(this.filter),
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: this.since(),
      ack_policy: AckPolicy.None,
      inactive_threshold: 10_000 * 1e6,
      mem_storage: true,
      num_replicas: 1,
    });
    void jsm.consumers.delete(this.naming.streamName, probe.name).catch(() => undefined);
    return probe.delivered.stream_seq + 1;
  }
}

/**
 * Credentials ended before they expire: sessions (logout, password change or reset, deactivation,
 * refresh-token reuse), deleted users, revoked API keys. The gateway accepts an access token from
 * its signature alone and caches API keys (ADR 0005); without this list, a token would keep
 * working here for the rest of its lifetime after its session ended.
 *
 * Identity publishes each ending as an event. Every gateway replica reads them from the stream
 * with ordered consumers — no durable state, nothing to share between replicas — starting
 * REVOCATION_RETENTION_S back, so a replica that (re)starts knows what was ended while it was
 * down. An id is remembered for REVOCATION_RETENTION_S, which must be at least identity's
 * ACCESS_TOKEN_TTL_S (and API_KEY_CACHE_S): by then every token of the session has expired.
 *
 * Fails closed: the list is `trusted()` only while every reader has been seen caught up within the
 * last REVOCATION_CHECK_MS × 3. Otherwise (NATS restarting or paused, a reader re-created, the
 * gateway just started) the request authenticator re-checks every credential with identity, and
 * `/ready` is red. Revocations this gateway carried itself (logout, key revocation) are applied at
 * once, before the answer leaves (`revokeSessions`, `revokeApiKey`).
 */
@Injectable()
export class CredentialRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sessions: ExpiringSet;
  private readonly users: ExpiringSet;
  private readonly apiKeys: ExpiringSet;
  private readonly retentionMs: number;
  private readonly checkMs: number;
  private readonly readers: RevocationReader[] = [];
  private checker?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly naming: SubjectNaming,
    @Inject(GATEWAY_CONFIG) config: Pick<GatewayConfig, 'REVOCATION_RETENTION_S'> & Partial<Pick<GatewayConfig, 'REVOCATION_CHECK_MS'>>,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {
    this.retentionMs = config.REVOCATION_RETENTION_S * 1000;
    this.checkMs = config.REVOCATION_CHECK_MS ?? 1_000;
    this.sessions = new ExpiringSet(this.retentionMs);
    this.users = new ExpiringSet(this.retentionMs);
    this.apiKeys = new ExpiringSet(this.retentionMs);
  }

  /** True when the principal's session, user or API key was ended. Two empty-map checks when nothing was. */
  isRevoked(p: Principal, now = Date.now()): boolean {
    if (this.sessions.size !== 0) {
      const sid = p.claims?.sid;
      if (sid !== undefined && this.sessions.has(sid, now)) return true;
    }
    if (this.apiKeys.size !== 0 && p.apiKeyId !== undefined && this.apiKeys.has(p.apiKeyId, now)) return true;
    return this.users.size !== 0 && this.users.has(p.userId, now);
  }

  /**
   * Whether "not in the list" means "not revoked": every reader caught up recently. False before the
   * first catch-up, while NATS is away or paused, and while a reader is being re-created.
   */
  trusted(now = Date.now()): boolean {
    return this.readers.length > 0 && this.readers.every((r) => r.fresh(now));
  }

  readiness(now = Date.now()): { status: 'ok' | 'stale'; readers: RevocationReaderStatus[] } {
    return { status: this.trusted(now) ? 'ok' : 'stale', readers: this.readers.map((r) => r.status(now)) };
  }

  /** A logout (or other session end) this gateway carried: refused here before the answer is sent. */
  revokeSessions(sessionIds: readonly string[], now = Date.now()): void {
    for (const sid of sessionIds) this.sessions.add(sid, now, now);
  }

  /** A user deletion this gateway carried: every credential of theirs refused here at once. */
  revokeUser(userId: string, now = Date.now()): void {
    this.users.add(userId, now, now);
  }

  /** A key revocation this gateway carried: refused here before the answer is sent. */
  revokeApiKey(apiKeyId: string, now = Date.now()): void {
    this.apiKeys.add(apiKeyId, now, now);
  }

  /** Applies one event (exported for the consumers below and for tests). */
  apply(event: Pick<EventEnvelope<Data>, 'type' | 'data' | 'occurred_at'>, now = Date.now()): void {
    const at = Date.parse(event.occurred_at) || now;
    const d = event.data ?? {};
    switch (event.type) {
      case IdentityEventTypes.UserLoggedOut:
      case IdentityEventTypes.UserPasswordReset:
      case IdentityEventTypes.UserUpdated:
        for (const sid of d.session_ids ?? []) this.sessions.add(sid, at, now);
        break;
      case IdentityEventTypes.SecurityTokenReuseDetected:
        if (d.session_id) this.sessions.add(d.session_id, at, now);
        break;
      case IdentityEventTypes.UserDeleted:
        if (d.user_id) this.users.add(d.user_id, at, now);
        break;
      case IdentityEventTypes.ApiKeyRevoked:
        if (d.api_key_id) this.apiKeys.add(d.api_key_id, at, now);
        break;
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const since = () => new Date(Date.now() - this.retentionMs).toISOString();
    for (const filter of FILTERS) {
      const reader = new RevocationReader(filter, this.nats, this.naming, since, (msg) => this.applyMessage(msg), this.logger);
      this.readers.push(reader);
      void reader.run();
    }
    void this.watchConnection();
    const staleAfterMs = this.checkMs * 3;
    this.checker = setInterval(() => {
      for (const r of this.readers) void r.check(staleAfterMs, this.checkMs);
    }, this.checkMs);
    this.checker.unref();
    // Normally the readers catch up in milliseconds: wait for that (bounded) so that a gateway that
    // says it is ready is; when NATS or the stream is not there yet it serves anyway, failing closed.
    const deadline = Date.now() + STARTUP_CATCH_UP_MS;
    while (!this.trusted() && Date.now() < deadline) {
      await Promise.all(this.readers.map((r) => r.check(staleAfterMs, this.checkMs)));
      if (!this.trusted()) await new Promise((r) => setTimeout(r, 50));
    }
  }

  private applyMessage(msg: JsMsg): void {
    try {
      this.apply(msg.json<EventEnvelope<Data>>());
    } catch (err) {
      this.logger.warn({ err, subject: msg.subject }, 'unreadable event skipped by the revocation list');
    }
  }

  /** A lost connection distrusts the list at once, not a few checks later. */
  private async watchConnection(): Promise<void> {
    for await (const s of this.nats.status()) {
      if (this.stopped) return;
      if (s.type === 'disconnect' || s.type === 'reconnecting' || s.type === 'staleConnection') {
        for (const r of this.readers) r.distrust();
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.checker);
    for (const r of this.readers) r.stop();
  }
}
