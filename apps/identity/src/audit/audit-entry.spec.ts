import { describe, expect, it } from '@jest/globals';
import { createEnvelope } from '@saas/contracts';
import { toAuditEntry } from './audit-entry.js';

describe('audit entries from events', () => {
  it('take verb, aggregate and <aggregate>_id, and keep the data as new values (redacted)', () => {
    const entry = toAuditEntry(createEnvelope({ type: 'api_key.created', data: { api_key_id: 'k1', name: 'ci', secret_hash: 'abc' } }));
    expect(entry).toEqual({
      action: 'create',
      resourceType: 'api_key',
      resourceId: 'k1',
      oldValues: null,
      // The rule is by name, so even the id member of an API key is masked (the resource id keeps it).
      newValues: { api_key_id: '[REDACTED]', name: 'ci', secret_hash: '[REDACTED]' },
    });
  });

  it('use data.changes {old, new} when present', () => {
    const entry = toAuditEntry(
      createEnvelope({ type: 'user.updated', data: { user_id: 'u1', changes: { old: { role: 'user' }, new: { role: 'admin', password: 'p' } } } }),
    );
    expect(entry.resourceId).toBe('u1');
    expect(entry.oldValues).toEqual({ role: 'user' });
    expect(entry.newValues).toEqual({ role: 'admin', password: '[REDACTED]' });
  });

  it('use data.old/data.new, and fall back to id', () => {
    const entry = toAuditEntry(createEnvelope({ type: 'tenant.updated', data: { id: 't1', old: { name: 'a' }, new: { name: 'b' } } }));
    expect(entry).toMatchObject({ resourceType: 'tenant', resourceId: 't1', oldValues: { name: 'a' }, newValues: { name: 'b' } });
  });

  it("spell actions as seed 002's log does, keeping verbs that have no such word", () => {
    const action = (type: string) => toAuditEntry(createEnvelope({ type, data: {} })).action;
    expect(['user.created', 'user.updated', 'tenant.deleted', 'user.logged_in', 'user.logged_out', 'api_key.revoked'].map(action)).toEqual([
      'create',
      'update',
      'delete',
      'login',
      'logout',
      'revoked',
    ]);
  });
});
