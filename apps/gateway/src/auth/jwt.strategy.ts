import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Algorithm, JwtHeader, JwtPayload } from 'jsonwebtoken';
import { Strategy } from 'passport-jwt';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_HEADER_TYPE, ACCESS_TOKEN_TYPE, type AccessTokenClaims } from '@saas/contracts';
import type { GatewayConfig } from '../config.js';
import { GATEWAY_CONFIG } from '../tokens.js';
import { JwksCache } from './jwks.cache.js';

export const JWT_STRATEGY = 'jwt';

/** What the strategy is handed: the token only (the gateway extracted it already). */
export interface TokenCarrier {
  accessToken: string;
}

/** A refusal the guard can explain; never contains the token. */
export class TokenRejected extends Error {
  constructor(
    readonly reason: 'invalid_token' | 'expired_token',
    message: string,
  ) {
    super(message);
  }
}

function kidOf(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' && header.kid.length <= 200 ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

export type JwtSettings = Pick<GatewayConfig, 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_CLOCK_TOLERANCE_S'>;

/**
 * passport-jwt over identity's JWKS (docs/decisions/0005-jwt-verification.md). jsonwebtoken checks
 * the signature with the key of the token's `kid`, the one pinned algorithm (RS256: `none`, HS256
 * with the public key as secret and every other algorithm fail), `iss`, `aud`, `exp`/`nbf` with at
 * most JWT_CLOCK_TOLERANCE_S of skew; `validate` then checks what jsonwebtoken does not: the JOSE
 * header `typ: at+jwt`, the claim `typ: access`, and that the claims the gateway relies on exist.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(jwks: JwksCache, @Inject(GATEWAY_CONFIG) config: JwtSettings) {
    super({
      jwtFromRequest: (req: TokenCarrier) => req.accessToken,
      secretOrKeyProvider: (_req: TokenCarrier, rawJwt: string, done: (err: unknown, key?: unknown) => void) => {
        const kid = kidOf(rawJwt);
        if (!kid) return done(new TokenRejected('invalid_token', 'the token names no signing key'));
        jwks.key(kid).then(
          (key) => (key ? done(null, key) : done(new TokenRejected('invalid_token', `unknown signing key ${kid}`))),
          (err: unknown) => done(err),
        );
      },
      algorithms: [ACCESS_TOKEN_ALGORITHM as Algorithm],
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      jsonWebTokenOptions: { complete: true, clockTolerance: config.JWT_CLOCK_TOLERANCE_S },
    } as never);
  }

  validate(decoded: { header: JwtHeader & { typ?: string }; payload: JwtPayload & Partial<AccessTokenClaims> }): AccessTokenClaims {
    const { header, payload } = decoded;
    if (header.typ !== ACCESS_TOKEN_HEADER_TYPE) throw new TokenRejected('invalid_token', `JOSE typ must be ${ACCESS_TOKEN_HEADER_TYPE}`);
    if (payload.typ !== ACCESS_TOKEN_TYPE) throw new TokenRejected('invalid_token', 'not an access token');
    const complete =
      typeof payload.sub === 'string' &&
      typeof payload.exp === 'number' && // jsonwebtoken accepts a token without exp: we do not
      typeof payload.iat === 'number' &&
      typeof payload.jti === 'string' &&
      typeof payload.email === 'string' &&
      Array.isArray(payload.roles) &&
      payload.roles.every((r) => typeof r === 'string');
    if (!complete) throw new TokenRejected('invalid_token', 'access token claims are incomplete');
    return payload as AccessTokenClaims;
  }
}
