import { describe, expect, it } from '@jest/globals';
import { TenantStatuses, type TenantStatus } from '@saas/contracts';
import { InvalidTenantTransition } from './lifecycle.exception.js';
import { assertTransition, canTransition } from './tenant-state-machine.js';

describe('tenant state machine', () => {
  it.each<[TenantStatus, TenantStatus]>([
    ['pending', 'provisioning'],
    ['provisioning', 'active'],
    ['active', 'suspended'],
    ['suspended', 'active'],
    ['active', 'stopped'],
    ['stopped', 'active'],
    ['provisioning', 'error'],
    ['error', 'provisioning'],
    ['active', 'deleting'],
    ['deleting', 'deleted'],
    ['active', 'restoring'],
    ['stopped', 'restoring'],
    ['restoring', 'active'],
    ['restoring', 'error'],
  ])('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each<[TenantStatus, TenantStatus]>([
    ['pending', 'active'],
    ['deleted', 'active'],
    ['deleted', 'deleting'],
    ['suspended', 'stopped'],
    ['stopped', 'suspended'],
    ['deleting', 'active'],
    ['restoring', 'deleting'],
    ['restoring', 'stopped'],
    ['deleting', 'restoring'],
  ])('refuses %s → %s with a 409 INVALID_TENANT_STATE', (from, to) => {
    let thrown: unknown;
    try {
      assertTransition(from, to);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidTenantTransition);
    expect((thrown as InvalidTenantTransition).status).toBe(409);
    expect((thrown as InvalidTenantTransition).code).toBe('INVALID_TENANT_STATE');
  });

  it('has no way out of deleted and a way to deleted from every live state but restoring (which ends first)', () => {
    for (const s of TenantStatuses) {
      expect(canTransition('deleted', s)).toBe(false);
      if (s !== 'deleted' && s !== 'deleting' && s !== 'restoring') expect(canTransition(s, 'deleting')).toBe(true);
    }
  });
});
