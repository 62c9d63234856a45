import { describe, expect, it } from '@jest/globals';
import type { paths } from './schema.js';
import { SaasClient } from './client.js';

// Type-level checks, enforced by `npm run typecheck` (a generated client that cannot pass the id
// or has no type for the tenant fails to compile here).
type GetTenant = paths['/api/v1/tenants/{id}']['get'];
type TenantBody = GetTenant['responses'][200]['content']['application/json'];
const params: GetTenant['parameters']['path'] = { id: '6f1c1e52-6f1f-4e0b-9a43-0b8c58f2a1a1' };
// @ts-expect-error the path parameter is required
const noId: GetTenant['parameters']['path'] = {};
const tenant: Pick<TenantBody, 'id' | 'name' | 'slug' | 'status'> = { id: params.id, name: 'Acme', slug: 'acme', status: 'active' };
// @ts-expect-error a tenant's status is one of the lifecycle states
const badStatus: TenantBody['status'] = 'sleeping';

describe('the generated SDK types', () => {
  it('type GET tenants/{id} with its path parameter and the tenant schema', () => {
    expect([noId, badStatus]).toHaveLength(2);
    expect(tenant.name).toBe('Acme');
    const sdk = new SaasClient({ baseUrl: 'http://localhost:3000' });
    // Compiles only if `tenants.get` returns the tenant schema.
    const get: (id: string) => Promise<{ slug: string }> = sdk.tenants.get;
    expect(typeof get).toBe('function');
  });
});
