import { createPublicKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ACCESS_TOKEN_ALGORITHM, IdentityRpc, type JwksResponse } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import type { GatewayConfig } from '../config.js';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../tokens.js';

/** After a failed fetch (identity not up yet) a retry is allowed this soon. */
const RETRY_AFTER_FAILURE_MS = 1_000;

export type JwksSettings = Pick<GatewayConfig, 'JWKS_REFRESH_S' | 'JWKS_MIN_REFETCH_S'>;

/**
 * identity's public signing keys (`rpc.identity.keys.jwks`), by `kid`. Re-read every JWKS_REFRESH_S
 * in the background and at once when a token names a `kid` not seen yet (a rotation) — but at most
 * once per JWKS_MIN_REFETCH_S, so tokens with made-up `kid`s cannot turn the gateway into a flood of
 * RPCs. Only keys of the one accepted algorithm are kept.
 */
@Injectable()
export class JwksCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private keys = new Map<string, KeyObject>();
  /** identity's last answer as it was, for `GET /.well-known/jwks.json`. */
  private published?: { jwks: JwksResponse; at: number };
  private lastAttemptAt = 0;
  private lastFailed = false;
  private inflight: Promise<void> | undefined;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: JwksSettings,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.JWKS_REFRESH_S * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The key for `kid`, refetching the set when it is unknown and the last fetch is old enough. */
  async key(kid: string): Promise<KeyObject | undefined> {
    const known = this.keys.get(kid);
    if (known) return known;
    const minGap = this.lastFailed ? RETRY_AFTER_FAILURE_MS : this.config.JWKS_MIN_REFETCH_S * 1000;
    if (this.inflight) await this.inflight;
    else if (Date.now() - this.lastAttemptAt >= minGap) await this.refresh();
    return this.keys.get(kid);
  }

  /** The key set to publish: the last one fetched, re-read when older than JWKS_REFRESH_S. */
  async document(): Promise<JwksResponse> {
    if (!this.published || Date.now() - this.published.at > this.config.JWKS_REFRESH_S * 1000) await this.refresh();
    // Never fetched: ask once more, so that the client gets identity's own error (503/504).
    return this.published?.jwks ?? this.rpc.call(IdentityRpc.jwks, {});
  }

  get size(): number {
    return this.keys.size;
  }

  /** Fetches the set (concurrent callers share one RPC). A failure keeps the keys already known. */
  refresh(): Promise<void> {
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetch(): Promise<void> {
    this.lastAttemptAt = Date.now();
    try {
      const jwks = await this.rpc.call(IdentityRpc.jwks, {});
      const next = new Map<string, KeyObject>();
      for (const jwk of jwks.keys) {
        if (jwk.alg !== ACCESS_TOKEN_ALGORITHM || jwk.kty !== 'RSA' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
        try {
          next.set(jwk.kid, createPublicKey({ key: jwk as never, format: 'jwk' }));
        } catch (err) {
          this.logger.warn({ err, kid: jwk.kid }, 'JWKS key is not a usable public key; skipped');
        }
      }
      this.keys = next;
      this.published = { jwks, at: Date.now() };
      this.lastFailed = false;
    } catch (err) {
      this.lastFailed = true;
      this.logger.warn({ err, known_keys: this.keys.size }, 'could not fetch the JWKS from identity; keeping the keys known so far');
    }
  }
}
