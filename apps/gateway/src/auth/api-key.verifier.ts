import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { parseApiKey } from '@saas/auth';
import { IdentityRpc, type ApiKeyPrincipal } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { RpcClient } from '@saas/messaging';
import type { GatewayConfig } from '../config.js';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../tokens.js';
import { CredentialCache, credentialDigest } from './credential-cache.js';
import { rateLimitTierOf, type AuthFailure, type Principal } from './principal.js';

const MAX_CACHED_KEYS = 20_000;

type Outcome = Principal | AuthFailure;

export type ApiKeySettings = Pick<GatewayConfig, 'API_KEY_CACHE_S' | 'API_KEY_NEGATIVE_CACHE_S'>;

/**
 * `sk_…` keys, checked by identity (`api-keys.verify`). The answer is remembered by the key's
 * SHA-256 for API_KEY_CACHE_S (a refusal for API_KEY_NEGATIVE_CACHE_S), so a revoked key keeps
 * working at the gateway for at most that long. Concurrent first uses of one key share one RPC.
 * Identity being unavailable is not a refusal: that request fails with identity's 503/504.
 */
@Injectable()
export class ApiKeyVerifier {
  private readonly cache = new CredentialCache<Outcome>(MAX_CACHED_KEYS);
  private readonly inflight = new Map<string, Promise<Outcome>>();

  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: ApiKeySettings,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  /** `fresh`: ask identity even when an answer is cached (the revocation list is not trusted now). */
  verify(key: string, now = Date.now(), options: { fresh?: boolean } = {}): Outcome | Promise<Outcome> {
    if (!parseApiKey(key)) return 'invalid_api_key';
    const digest = credentialDigest(key);
    const cached = options.fresh ? undefined : this.cache.get(digest, now);
    if (cached !== undefined) return cached;
    let pending = this.inflight.get(digest);
    if (!pending) {
      pending = this.ask(key, digest).finally(() => this.inflight.delete(digest));
      this.inflight.set(digest, pending);
    }
    return pending;
  }

  clear(): void {
    this.cache.clear();
  }

  private async ask(key: string, digest: string): Promise<Outcome> {
    let answer: ApiKeyPrincipal;
    try {
      answer = await this.rpc.call(IdentityRpc.apiKeysVerify, { key });
    } catch (err) {
      if (err instanceof DomainException && err.status === 401) {
        this.cache.set(digest, 'invalid_api_key', Date.now() + this.config.API_KEY_NEGATIVE_CACHE_S * 1000);
        return 'invalid_api_key';
      }
      this.logger.warn({ err }, 'API key verification failed');
      throw err;
    }
    const expiresAtMs = Date.now() + this.config.API_KEY_CACHE_S * 1000;
    const principal: Principal = Object.freeze({
      kind: 'api_key',
      userId: answer.user_id,
      roles: Object.freeze([...answer.roles]),
      tier: rateLimitTierOf(answer.roles, answer.tier),
      planTier: answer.tier,
      tenantId: answer.tenant_id,
      email: answer.email,
      expiresAtMs,
      apiKeyId: answer.api_key_id,
      scopes: Object.freeze([...answer.scopes]),
    });
    this.cache.set(digest, principal, expiresAtMs);
    return principal;
  }
}
