import { describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { SubjectNaming } from '@saas/messaging';
import type { Principal } from './principal.js';
import { CredentialRevocations } from './revocations.js';

const HOUR = 3_600_000;
const now = Date.parse('2026-11-22T12:00:00Z');
const at = (msAgo: number) => new Date(now - msAgo).toISOString();

const user = (over: Partial<Principal> & { sid?: string } = {}): Principal => ({
  kind: 'user',
  userId: 'u-1',
  roles: ['user'],
  tier: 'standard',
  planTier: 'standard',
  tenantId: null,
  email: 'a@example.com',
  expiresAtMs: now + 900_000,
  claims: { sid: over.sid ?? 's-1' } as Principal['claims'],
  ...over,
});

function list(): CredentialRevocations {
  return new CredentialRevocations({} as NatsConnection, new SubjectNaming('t.'), { REVOCATION_RETENTION_S: 3_600 }, {} as Logger);
}

describe('CredentialRevocations', () => {
  it('refuses the sessions a logout, password reset, password change or reuse ended — only those', () => {
    const r = list();
    r.apply({ type: 'user.logged_out', occurred_at: at(1_000), data: { user_id: 'u-1', session_ids: ['s-1'] } }, now);
    r.apply({ type: 'user.password_reset', occurred_at: at(1_000), data: { user_id: 'u-2', session_ids: ['s-2'] } }, now);
    r.apply({ type: 'user.updated', occurred_at: at(1_000), data: { user_id: 'u-3', session_ids: ['s-3'] } }, now);
    r.apply({ type: 'security.token_reuse_detected', occurred_at: at(1_000), data: { user_id: 'u-4', session_id: 's-4' } }, now);
    for (const sid of ['s-1', 's-2', 's-3', 's-4']) expect(r.isRevoked(user({ sid }), now)).toBe(true);
    expect(r.isRevoked(user({ sid: 's-other' }), now)).toBe(false);
    // A profile update that ended nothing ends nothing.
    r.apply({ type: 'user.updated', occurred_at: at(1_000), data: { user_id: 'u-1' } }, now);
    expect(r.isRevoked(user({ sid: 's-5' }), now)).toBe(false);
  });

  it('refuses every credential of a deleted user and a revoked API key', () => {
    const r = list();
    r.apply({ type: 'user.deleted', occurred_at: at(0), data: { user_id: 'u-9' } }, now);
    r.apply({ type: 'api_key.revoked', occurred_at: at(0), data: { api_key_id: 'k-1', user_id: 'u-8' } }, now);
    expect(r.isRevoked(user({ userId: 'u-9', sid: 'fresh' }), now)).toBe(true);
    expect(r.isRevoked(user({ kind: 'api_key', userId: 'u-8', apiKeyId: 'k-1', claims: undefined }), now)).toBe(true);
    expect(r.isRevoked(user({ kind: 'api_key', userId: 'u-8', apiKeyId: 'k-2', claims: undefined }), now)).toBe(false);
  });

  it('forgets an id once every token it could cover has expired (REVOCATION_RETENTION_S), and ignores older events on replay', () => {
    const r = list();
    r.apply({ type: 'user.logged_out', occurred_at: at(HOUR + 1), data: { user_id: 'u-1', session_ids: ['old'] } }, now);
    expect(r.isRevoked(user({ sid: 'old' }), now)).toBe(false);
    r.apply({ type: 'user.logged_out', occurred_at: at(HOUR - 10_000), data: { user_id: 'u-1', session_ids: ['recent'] } }, now);
    expect(r.isRevoked(user({ sid: 'recent' }), now)).toBe(true);
    expect(r.isRevoked(user({ sid: 'recent' }), now + 10_001)).toBe(false);
  });
});
