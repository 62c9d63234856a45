import { describe, expect, it } from '@jest/globals';
import { assertTenantSlug, tenantDatabaseIdentifier, tenantNamespace } from './tenant-names.js';

describe('tenant names', () => {
  it('accept DNS-label slugs only', () => {
    for (const ok of ['a', 'acme', 'acme-corp-2', 'a'.repeat(63)]) expect(() => assertTenantSlug(ok)).not.toThrow();
    for (const bad of ['', '-a', 'a-', 'Acme', 'a_b', 'a.b', 'a'.repeat(64), 'x"; DROP ROLE postgres; --']) expect(() => assertTenantSlug(bad)).toThrow(/invalid tenant slug/);
  });

  it('derive database and namespace names within 63 characters, distinct for long slugs', () => {
    expect(tenantDatabaseIdentifier('acme-corp')).toBe('tenant_acme_corp');
    expect(tenantNamespace('acme-corp')).toBe('tenant-acme-corp');
    const long1 = `${'a'.repeat(60)}-x1`;
    const long2 = `${'a'.repeat(60)}-x2`;
    for (const f of [tenantDatabaseIdentifier, tenantNamespace]) {
      expect(f(long1).length).toBeLessThanOrEqual(63);
      expect(f(long1)).not.toBe(f(long2));
    }
    expect(tenantNamespace(long1)).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
  });
});
