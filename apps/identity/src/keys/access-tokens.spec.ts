import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeProtectedHeader, SignJWT } from 'jose';
import { verifyAccessToken } from '@saas/auth';
import { ACCESS_TOKEN_ALGORITHM } from '@saas/contracts';
import type { SigningKeysService } from './signing-keys.service.js';
import { AccessTokenIssuer } from './access-tokens.js';
import { FixedClock } from '@saas/testing';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = createLocalJWKSet({ keys: [{ ...(publicKey.export({ format: 'jwk' }) as object), kid: 'k1', alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' } as never] });
const keys = { active: async () => ({ kid: 'k1', privateKey }) } as unknown as SigningKeysService;
const settings = { ACCESS_TOKEN_TTL_S: 900, JWT_ISSUER: 'iss-test', JWT_AUDIENCE: 'aud-test' };
const user = { id: '3f1c1e5e-8d3b-4c50-9a57-0d1f3c7b9a10', email: 'ada@example.com', role: 'admin' as const, emailVerifiedAt: new Date() };

describe('access token claims', () => {
  it('carry kid, typ at+jwt and the claims the gateway authorizes from', async () => {
    const clock = new FixedClock(new Date('2026-03-01T12:00:00Z'));
    const token = await new AccessTokenIssuer(keys, clock, settings).issue(user, 'sess-1', 'premium');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' });
    const claims = await verifyAccessToken(token, jwks, { issuer: 'iss-test', audience: 'aud-test', currentDate: clock.at });
    expect(claims).toMatchObject({
      iss: 'iss-test',
      aud: 'aud-test',
      sub: user.id,
      typ: 'access',
      roles: ['admin'],
      tier: 'premium',
      email: 'ada@example.com',
      email_verified: true,
      sid: 'sess-1',
      iat: Date.parse('2026-03-01T12:00:00Z') / 1000,
      exp: Date.parse('2026-03-01T12:15:00Z') / 1000,
    });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('are refused when expired, for another audience, or when not an access token', async () => {
    const clock = new FixedClock(new Date('2026-03-01T12:00:00Z'));
    const token = await new AccessTokenIssuer(keys, clock, settings).issue(user, 'sess-1', 'premium');
    await expect(verifyAccessToken(token, jwks, { issuer: 'iss-test', audience: 'aud-test', currentDate: new Date('2026-03-01T12:16:00Z') })).rejects.toMatchObject({ reason: 'expired' });
    await expect(verifyAccessToken(token, jwks, { issuer: 'iss-test', audience: 'other', currentDate: clock.at })).rejects.toMatchObject({ reason: 'invalid' });

    // Signed by the right key but typed as something else (e.g. a future ID token): refused.
    const other = await new SignJWT({ typ: 'id', roles: ['admin'], email: 'x' })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: 'k1', typ: 'at+jwt' })
      .setIssuer('iss-test')
      .setAudience('aud-test')
      .setSubject(user.id)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti('j')
      .sign(privateKey);
    await expect(verifyAccessToken(other, jwks, { issuer: 'iss-test', audience: 'aud-test' })).rejects.toMatchObject({ reason: 'invalid' });
  });
});
