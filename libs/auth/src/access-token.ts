import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_HEADER_TYPE, ACCESS_TOKEN_TYPE, type AccessTokenClaims } from '@saas/contracts';

export interface AccessTokenVerification {
  issuer: string;
  audience: string;
  /** Allowed clock skew in seconds (default 30). */
  clockToleranceS?: number;
  currentDate?: Date;
}

/** Why a token was refused; safe to log, never echo the token itself. */
export class AccessTokenError extends Error {
  constructor(
    readonly reason: 'expired' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'AccessTokenError';
  }
}

/** A JWKS resolver from the key set identity publishes (`rpc.identity.keys.jwks`, `/.well-known/jwks.json`). */
export function localKeySet(jwks: JSONWebKeySet): JWTVerifyGetKey {
  return createLocalJWKSet(jwks);
}

export { createRemoteJWKSet };

/**
 * Verifies an identity access token with everything pinned: algorithm RS256 only (no `none`, no
 * HMAC confusion), JOSE `typ: at+jwt`, issuer, audience, expiry, and the `typ: access` claim (so no
 * other JWT the platform might sign is accepted as an access token).
 */
export async function verifyAccessToken(token: string, keys: JWTVerifyGetKey, options: AccessTokenVerification): Promise<AccessTokenClaims> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      typ: ACCESS_TOKEN_HEADER_TYPE,
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockToleranceS ?? 30,
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      ...(options.currentDate ? { currentDate: options.currentDate } : {}),
    });
    if (payload.typ !== ACCESS_TOKEN_TYPE) throw new AccessTokenError('invalid', 'not an access token');
    if (!Array.isArray(payload.roles) || typeof payload.email !== 'string') throw new AccessTokenError('invalid', 'access token claims are incomplete');
    return payload as unknown as AccessTokenClaims;
  } catch (err) {
    if (err instanceof AccessTokenError) throw err;
    if (err instanceof errors.JWTExpired) throw new AccessTokenError('expired', 'access token expired');
    throw new AccessTokenError('invalid', (err as Error).message);
  }
}
