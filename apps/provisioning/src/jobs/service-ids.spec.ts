import { describe, expect, it } from '@jest/globals';
import type { InstanceInfo } from '../runtime/tenant-runtime.js';
import { serviceIds } from './provisioning-steps.js';

const base = { tenant_id: 't', slug: 'acme', runtime: 'local', status: 'running', access_url: 'http://acme.localhost:3000' } as InstanceInfo;

describe('service ids', () => {
  it('name the local app and a dedicated database, nothing that a restart changes', () => {
    const ids = serviceIds({ ...base, endpoint: { kind: 'local', host: '127.0.0.1', port: 20123, pid: 4242 } }, { strategy: 'dedicated', database: 'tenant_acme', schema: 'tenant_acme' });
    expect(ids).toEqual({ web_service: 'local/acme', database: 'tenant_acme' });
    expect(JSON.stringify(ids)).not.toMatch(/20123|4242/);
  });

  it('name the Kubernetes deployment, service and ingress host, and a shared tenant’s schema', () => {
    const ids = serviceIds(
      { ...base, runtime: 'kubernetes', endpoint: { kind: 'kubernetes', namespace: 'tenant-acme', deployment: 'app', service: 'app', ingress_host: 'acme.example.com' } },
      { strategy: 'shared', database: 'saas_tenants', schema: 'tenant_acme' },
    );
    expect(ids).toEqual({ web_service: 'tenant-acme/deployment/app', service: 'tenant-acme/service/app', ingress: 'acme.example.com', database: 'saas_tenants.tenant_acme' });
  });
});
