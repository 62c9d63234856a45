import { Inject, Injectable } from '@nestjs/common';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { GatewayConfig } from '../config.js';
import { GATEWAY_CONFIG, NATS_CONNECTION } from '../tokens.js';

/** A recorded first response, replayed for the same key and body. */
export interface CompletedResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type IdempotencyRecord =
  | { state: 'in_progress'; fingerprint: string; started_at: number; renewed_at?: number }
  | { state: 'completed'; fingerprint: string; started_at: number; response: CompletedResponse };

/** What `begin` found: the key is ours now (`acquired`), or someone's record is there. */
export type BeginOutcome = { kind: 'acquired'; revision: number } | { kind: 'existing'; record: IdempotencyRecord; revision: number };

/** `<prefix>idempotency`, as a KV bucket name (letters, digits, `-`, `_`). */
export function idempotencyBucketName(subjectPrefix: string): string {
  return `${subjectPrefix.replace(/[^A-Za-z0-9_-]/g, '_')}gateway_idempotency`;
}

/**
 * Idempotency records in a JetStream KV bucket, so every gateway replica sees the same ones while
 * the gateway still owns no tables. Entries live IDEMPOTENCY_TTL_S (bucket TTL). The in-progress
 * lock is a KV `create` (refused when the key exists); completion is an `update` at the revision the
 * lock was taken with, so a replica that lost its lock cannot overwrite the new owner's record. The
 * lock is a lease: the replica running the request renews it (`renew`) while it runs, and one not
 * renewed for IDEMPOTENCY_LOCK_S (its replica died) may be taken over by a retry with the same body.
 */
@Injectable()
export class IdempotencyStore {
  private kv?: Promise<KV>;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'SUBJECT_PREFIX' | 'IDEMPOTENCY_TTL_S' | 'IDEMPOTENCY_LOCK_S'>,
  ) {}

  get bucket(): string {
    return idempotencyBucketName(this.config.SUBJECT_PREFIX);
  }

  /** Opened (created if missing) on first use, so the gateway boots without it; retried after a failure. */
  private open(): Promise<KV> {
    this.kv ??= new Kvm(this.nc).create(this.bucket, { ttl: this.config.IDEMPOTENCY_TTL_S * 1000, history: 1 }).catch((err: unknown) => {
      this.kv = undefined;
      throw err;
    });
    return this.kv;
  }

  async begin(key: string, fingerprint: string): Promise<BeginOutcome> {
    const kv = await this.open();
    const lock: IdempotencyRecord = { state: 'in_progress', fingerprint, started_at: Date.now() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return { kind: 'acquired', revision: await kv.create(key, JSON.stringify(lock)) };
      } catch {
        const entry = await kv.get(key);
        if (!entry || entry.operation !== 'PUT') continue; // gone meanwhile (released or expired): try again
        const record = entry.json<IdempotencyRecord>();
        const stale = record.state === 'in_progress' && Date.now() - (record.renewed_at ?? record.started_at) > this.config.IDEMPOTENCY_LOCK_S * 1000;
        if (stale && record.fingerprint === fingerprint) {
          // Its replica died mid-request: take the lock over (fails if someone else just did).
          try {
            return { kind: 'acquired', revision: await kv.update(key, JSON.stringify(lock), entry.revision) };
          } catch {
            continue;
          }
        }
        return { kind: 'existing', record, revision: entry.revision };
      }
    }
    throw new Error('idempotency key kept changing');
  }

  /** Extends the in-progress lease of a request still running; the lock's new revision. */
  async renew(key: string, revision: number, fingerprint: string, startedAt: number): Promise<number> {
    const kv = await this.open();
    const lock: IdempotencyRecord = { state: 'in_progress', fingerprint, started_at: startedAt, renewed_at: Date.now() };
    return kv.update(key, JSON.stringify(lock), revision);
  }

  async complete(key: string, revision: number, fingerprint: string, startedAt: number, response: CompletedResponse): Promise<void> {
    const kv = await this.open();
    const record: IdempotencyRecord = { state: 'completed', fingerprint, started_at: startedAt, response };
    await kv.update(key, JSON.stringify(record), revision);
  }

  /** The request failed: the key is free again, so the client can retry it. */
  async release(key: string, revision: number): Promise<void> {
    const kv = await this.open();
    await kv.delete(key, { previousSeq: revision });
  }
}
