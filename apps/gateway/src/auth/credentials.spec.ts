import { describe, expect, it } from '@jest/globals';
import { CredentialCache, credentialDigest } from './credential-cache.js';
import { rateLimitTierOf } from './principal.js';
import { credentialOf } from './request-authenticator.js';

describe('credentialOf', () => {
  it('reads a bearer JWT, a bearer API key and X-API-Key', () => {
    expect(credentialOf({ authorization: 'Bearer a.b.c' })).toEqual({ kind: 'jwt', value: 'a.b.c' });
    expect(credentialOf({ authorization: 'bearer   sk_abc_def ' })).toEqual({ kind: 'api_key', value: 'sk_abc_def' });
    expect(credentialOf({ 'x-api-key': 'sk_abc_def' })).toEqual({ kind: 'api_key', value: 'sk_abc_def' });
    expect(credentialOf({})).toBeUndefined();
  });

  it('calls anything else in Authorization malformed (never anonymous)', () => {
    for (const authorization of ['Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer a b', 'Token x']) {
      expect(credentialOf({ authorization })).toEqual({ kind: 'malformed' });
    }
  });
});

describe('CredentialCache', () => {
  it('forgets entries at their expiry and evicts the oldest when full', () => {
    const cache = new CredentialCache<string>(2);
    cache.set('a', 'A', 1_000);
    cache.set('b', 'B', 5_000);
    expect(cache.get('a', 999)).toBe('A');
    expect(cache.get('a', 1_000)).toBeUndefined();
    cache.set('c', 'C', 5_000);
    cache.set('d', 'D', 5_000);
    expect([cache.get('b', 0), cache.get('c', 0), cache.get('d', 0)]).toEqual([undefined, 'C', 'D']);
    expect(cache.size).toBe(2);
  });

  it('keys by a SHA-256 digest, never the credential itself', () => {
    const digest = credentialDigest('secret-token');
    expect(digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(digest).not.toContain('secret');
  });
});

describe('rateLimitTierOf', () => {
  it('is admin for admins, else the plan tier, standard when unknown', () => {
    expect(rateLimitTierOf(['admin'], 'premium')).toBe('admin');
    expect(rateLimitTierOf(['user'], 'enterprise')).toBe('enterprise');
    expect(rateLimitTierOf(['user'], 'gold')).toBe('standard');
    expect(rateLimitTierOf(['user'], undefined)).toBe('standard');
  });
});
