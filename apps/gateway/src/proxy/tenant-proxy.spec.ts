import { describe, expect, it } from '@jest/globals';
import { tenantSlugOf } from './tenant-proxy.js';

describe('tenantSlugOf', () => {
  const suffixes = ['localhost', 'tenants.example.com'];
  it('finds the tenant in <slug>.<suffix>, with or without a port', () => {
    expect(tenantSlugOf('acme.localhost:3000', suffixes)).toBe('acme');
    expect(tenantSlugOf('ACME-corp.localhost', suffixes)).toBe('acme-corp');
    expect(tenantSlugOf('acme.tenants.example.com', suffixes)).toBe('acme');
  });
  it('leaves the platform hosts and anything else alone', () => {
    expect(tenantSlugOf('localhost:3000', suffixes)).toBeNull();
    expect(tenantSlugOf('127.0.0.1:3000', suffixes)).toBeNull();
    expect(tenantSlugOf('a.b.localhost', suffixes)).toBeNull();
    expect(tenantSlugOf('api.example.com', suffixes)).toBeNull();
    expect(tenantSlugOf(undefined, suffixes)).toBeNull();
  });
});
