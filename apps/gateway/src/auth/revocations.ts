import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { IdentityEventTypes, type EventEnvelope } from '@saas/contracts';
import { SubjectNaming } from '@saas/messaging';
import type { GatewayConfig } from '../config.js';
import { GATEWAY_CONFIG, GATEWAY_LOGGER, NATS_CONNECTION } from '../tokens.js';
import type { Principal } from './principal.js';

/** At most this many revoked ids are remembered per kind (oldest forgotten first): memory stays flat. */
const MAX_ENTRIES = 200_000;

/** The events that end credentials, read from the stream (one filter subject per consumer: NATS 2.9). */
const FILTERS = ['user.>', IdentityEventTypes.ApiKeyRevoked, IdentityEventTypes.SecurityTokenReuseDetected];

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
 */
@Injectable()
export class CredentialRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sessions: ExpiringSet;
  private readonly users: ExpiringSet;
  private readonly apiKeys: ExpiringSet;
  private readonly retentionMs: number;
  private readonly readers: ConsumerMessages[] = [];
  private stopped = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly naming: SubjectNaming,
    @Inject(GATEWAY_CONFIG) config: Pick<GatewayConfig, 'REVOCATION_RETENTION_S'>,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {
    this.retentionMs = config.REVOCATION_RETENTION_S * 1000;
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
    const since = new Date(Date.now() - this.retentionMs).toISOString();
    await Promise.all(FILTERS.map((filter) => this.follow(filter, since)));
  }

  /** Reads one kind of event from `since` on, for as long as the gateway runs. */
  private async follow(filter: string, since: string): Promise<void> {
    if (this.stopped) return;
    let messages: ConsumerMessages;
    try {
      const consumer = await jetstream(this.nats).consumers.get(this.naming.streamName, {
        filter_subjects: this.naming.event(filter),
        deliver_policy: DeliverPolicy.StartTime,
        opt_start_time: since,
      });
      messages = await consumer.consume();
    } catch (err) {
      // No stream yet (no service has started) or NATS down: the gateway still serves, and retries.
      this.logger.warn({ err, filter }, 'cannot read credential revocations yet; retrying in 5 s');
      setTimeout(() => void this.follow(filter, since), 5_000).unref();
      return;
    }
    this.readers.push(messages);
    void (async () => {
      for await (const msg of messages) {
        try {
          this.apply(msg.json<EventEnvelope<Data>>());
        } catch (err) {
          this.logger.warn({ err, subject: msg.subject }, 'unreadable event skipped by the revocation list');
        }
      }
    })().catch((err: unknown) => this.logger.warn({ err, filter }, 'reading credential revocations stopped'));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const r of this.readers) r.stop();
  }
}
