import { Inject, Injectable } from '@nestjs/common';
import passport from 'passport';
import type { AccessTokenClaims } from '@saas/contracts';
import type { GatewayConfig } from '../config.js';
import { GATEWAY_CONFIG } from '../tokens.js';
import { CredentialCache, credentialDigest } from './credential-cache.js';
import { JWT_STRATEGY, JwtStrategy, TokenRejected, type TokenCarrier } from './jwt.strategy.js';
import { rateLimitTierOf, type AuthFailure, type Principal } from './principal.js';

const MAX_CACHED_TOKENS = 50_000;
/**
 * A refused token is remembered briefly, so a client retrying a bad token costs no RSA verify; short,
 * because "unknown kid" may become known at the next JWKS refetch.
 */
const REFUSED_TTL_MS = 5_000;

type Outcome = Principal | AuthFailure;

/**
 * Verifies access tokens with the passport-jwt strategy and remembers the outcome by the token's
 * SHA-256 until the token expires (+ the clock tolerance), so the hot path is one hash and one map
 * lookup. A token whose session ends before then (logout, deactivation…) is refused by the
 * request authenticator from the revocation list (revocations.ts, ADR 0005).
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly cache = new CredentialCache<Outcome>(MAX_CACHED_TOKENS);
  private readonly toleranceMs: number;

  constructor(
    // Injected so that the strategy is constructed (it registers itself with passport).
    readonly strategy: JwtStrategy,
    @Inject(GATEWAY_CONFIG) config: Pick<GatewayConfig, 'JWT_CLOCK_TOLERANCE_S'>,
  ) {
    this.toleranceMs = config.JWT_CLOCK_TOLERANCE_S * 1000;
  }

  /** A cached outcome synchronously, else a promise of the verification. */
  verify(token: string, now = Date.now()): Outcome | Promise<Outcome> {
    const digest = credentialDigest(token);
    const cached = this.cache.get(digest, now);
    if (cached !== undefined) return cached;
    return this.verifyWithPassport(token).then((outcome) => {
      const expiresAtMs = typeof outcome === 'string' ? Date.now() + REFUSED_TTL_MS : outcome.expiresAtMs;
      // An expired token is not cached as refused: refresh races must not outlive the tolerance.
      if (outcome !== 'expired_token') this.cache.set(digest, outcome, expiresAtMs);
      return outcome;
    });
  }

  clear(): void {
    this.cache.clear();
  }

  private verifyWithPassport(token: string): Promise<Outcome> {
    return new Promise((resolve) => {
      const carrier: TokenCarrier = { accessToken: token };
      const authenticate = passport.authenticate(JWT_STRATEGY, { session: false }, (err: unknown, claims: AccessTokenClaims | false, info: unknown) => {
        if (claims) return resolve(this.principalOf(claims));
        const why = err ?? info;
        if (why instanceof TokenRejected) return resolve(why.reason);
        resolve((why as { name?: string } | undefined)?.name === 'TokenExpiredError' ? 'expired_token' : 'invalid_token');
      });
      authenticate(carrier, {}, () => resolve('invalid_token'));
    });
  }

  private principalOf(claims: AccessTokenClaims): Principal {
    return Object.freeze({
      kind: 'user',
      userId: claims.sub,
      roles: Object.freeze([...claims.roles]),
      tier: rateLimitTierOf(claims.roles, claims.tier),
      planTier: claims.tier ?? 'standard',
      tenantId: null,
      email: claims.email,
      expiresAtMs: claims.exp * 1000 + this.toleranceMs,
      claims: Object.freeze({ ...claims }),
    });
  }
}
