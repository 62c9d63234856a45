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

// Every 2xx has a schema (issue 14): the responses that had none are typed too.
type Json<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends { responses: Record<S, { content: { 'application/json': infer B } }> } ? B : never;
type Instance = Json<'/api/v1/tenants/{id}/instance', 'get', 200>;
const runtime: Instance['runtime'] = 'kubernetes';
// @ts-expect-error an instance's runtime is local or kubernetes
const badRuntime: Instance['runtime'] = 'docker';
type AdminStats = Json<'/api/v1/admin/stats', 'get', 200>;
const stats: AdminStats = { total_users: 1, total_tenants: 1, active_instances: 1, total_revenue: null, currency: null, tenants_by_status: {}, tenants_by_plan: {} };
type Members = Json<'/api/v1/tenants/{id}/users', 'get', 200>;
const memberEmail: Members['results'][number]['email'] = null;
type Accepted = Json<'/api/v1/tenants/{id}/instance/actions', 'post', 202>;
const statusUrl: Accepted['status_url'] = '/api/v1/tenants/x/status';

describe('the generated SDK types', () => {
  it('type the responses that were untyped: instance, admin stats, members, a tenant action', () => {
    expect([runtime, badRuntime, stats.total_revenue, memberEmail, statusUrl]).toHaveLength(5);
  });

  it('type GET tenants/{id} with its path parameter and the tenant schema', () => {
    expect([noId, badStatus]).toHaveLength(2);
    expect(tenant.name).toBe('Acme');
    const sdk = new SaasClient({ baseUrl: 'http://localhost:3000' });
    // Compiles only if `tenants.get` returns the tenant schema.
    const get: (id: string) => Promise<{ slug: string }> = sdk.tenants.get;
    expect(typeof get).toBe('function');
  });
});
