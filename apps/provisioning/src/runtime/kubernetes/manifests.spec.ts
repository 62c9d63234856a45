import { describe, expect, it } from '@jest/globals';
import { TENANT_PLANS } from '../plans.js';
import type { TenantSpec } from '../tenant-runtime.js';
import { accessUrl, configHash, renderDeployment, renderIngress, renderNetworkPolicy, renderResourceQuota, renderSecret, renderTenantObjects, type KubeRenderOptions } from './manifests.js';
import { parseQuantity } from './quantities.js';

const options: KubeRenderOptions = {
  image: 'registry.example.com/tenant-app:1.2.3',
  flavor: 'generic',
  port: 8080,
  healthPath: '/health',
  baseDomain: 'apps.example.com',
  ingressClass: 'traefik',
  ingressNamespaceLabels: { 'kubernetes.io/metadata.name': 'traefik' },
  databaseCidr: '10.0.0.0/16',
};
const spec: TenantSpec = { tenantId: '4b0e0c2e-1b7e-4a0e-9a63-0c1f4d1f0a11', slug: 'acme', name: 'Acme', plan: 'premium', databaseStrategy: 'shared' };
const db = { strategy: 'shared' as const, host: '10.0.0.9', port: 6432, database: 'saas_tenants_shared', schema: 'tenant_acme', role: 'tenant_acme', password: 'p', url: 'postgres://tenant_acme:p@10.0.0.9:6432/saas_tenants_shared' };

describe('tenant manifests', () => {
  it('are pure: the same input renders the same objects', () => {
    expect(renderTenantObjects(spec, db, options)).toEqual(renderTenantObjects(spec, db, options));
  });

  it('size the quota as max_pods pods of the plan, for every plan', () => {
    for (const plan of TENANT_PLANS) {
      const hard = renderResourceQuota({ ...spec, plan }).spec!.hard!;
      expect(parseQuantity(hard['limits.cpu']!)).toBeGreaterThanOrEqual(parseQuantity(hard['requests.cpu']!));
      expect(parseQuantity(hard['limits.memory']!)).toBeGreaterThanOrEqual(parseQuantity(hard['requests.memory']!));
    }
    expect(renderResourceQuota(spec).spec!.hard).toMatchObject({ pods: '6', 'requests.cpu': '6000m', 'limits.memory': '24576Mi', 'requests.storage': '50Gi' });
  });

  it('run the generic flavour read-only as non-root with DATABASE_URL, and no Odoo init container', () => {
    const d = renderDeployment(spec, db, options, 'h');
    const pod = d.spec!.template.spec!;
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers[0]!.args).toBeUndefined();
    expect(pod.containers[0]!.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.securityContext!.runAsUser).toBe(10001);
    expect(renderSecret(spec, db, options).stringData).toMatchObject({ DATABASE_URL: db.url, DATABASE_SCHEMA: 'tenant_acme' });
    expect(renderSecret(spec, db, options).stringData!.PASSWORD).toBeUndefined();
  });

  it('give Odoo its database flags, an init container for the base module and its uid', () => {
    const odoo = { ...options, flavor: 'odoo' as const, port: 8069, healthPath: '/web/health' };
    const pod = renderDeployment(spec, db, odoo, 'h').spec!.template.spec!;
    expect(pod.containers[0]!.args).toEqual(expect.arrayContaining(['--database=saas_tenants_shared', '--db-filter=^saas_tenants_shared$', '--proxy-mode']));
    expect(pod.initContainers![0]!.args).toEqual(expect.arrayContaining(['--init=base', '--stop-after-init']));
    expect(pod.securityContext).toMatchObject({ runAsUser: 101, fsGroup: 101 });
    expect(renderSecret(spec, db, odoo).stringData).toMatchObject({ HOST: '10.0.0.9', PORT: '6432', USER: 'tenant_acme', PASSWORD: 'p' });
  });

  it('clone a custom_plugin_repo in an init container before the app (Odoo after it), mount it read-only, and open HTTPS to public addresses only', () => {
    const withRepo = { ...spec, customPluginRepo: 'https://github.com/acme/custom-plugins.git' };
    for (const flavor of ['generic', 'odoo'] as const) {
      const pod = renderDeployment(withRepo, db, { ...options, flavor, gitImage: 'registry.example.com/git:2' }, 'h').spec!.template.spec!;
      const init = pod.initContainers!;
      expect(init[0]).toMatchObject({
        name: 'plugins',
        image: 'registry.example.com/git:2',
        command: ['git'],
        args: ['clone', '--depth', '1', '--quiet', '--no-tags', '--', 'https://github.com/acme/custom-plugins.git', '/mnt/extra-addons/custom-plugins'],
        securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
      });
      expect(init.map((c) => c.name)).toEqual(flavor === 'odoo' ? ['plugins', 'init-db'] : ['plugins']);
      expect(pod.containers[0]!.volumeMounts).toContainEqual({ name: 'addons', mountPath: '/mnt/extra-addons', readOnly: true });
      expect(pod.containers[0]!.env).toContainEqual({ name: 'ADDONS_DIR', value: '/mnt/extra-addons' });
      expect(pod.volumes).toContainEqual({ name: 'addons', emptyDir: { sizeLimit: '1Gi' } });
    }
    const egress = renderNetworkPolicy(withRepo, db, options).spec!.egress!;
    const https = egress.find((r) => r.ports?.some((p) => p.port === 443));
    expect(https!.to![0]!.ipBlock).toMatchObject({ cidr: '0.0.0.0/0', except: expect.arrayContaining(['10.0.0.0/8', '169.254.0.0/16', '127.0.0.0/8']) });
    // Without one: no clone, no mount, no route out.
    expect(renderDeployment(spec, db, options, 'h').spec!.template.spec!.initContainers).toBeUndefined();
    expect(renderNetworkPolicy(spec, db, options).spec!.egress!.some((r) => r.ports?.some((p) => p.port === 443))).toBe(false);
  });

  it('roll pods when credentials change (config hash on the pod template)', () => {
    const a = configHash(renderSecret(spec, db, options));
    const b = configHash(renderSecret(spec, { ...db, password: 'q', url: db.url.replace(':p@', ':q@') }, options));
    expect(a).not.toBe(b);
    expect(renderDeployment(spec, db, options, a).spec!.template.metadata!.annotations!['saas-control-plane/config-hash']).toBe(a);
  });

  it('serve https with a TLS secret or a cert-manager issuer, http otherwise', () => {
    expect(accessUrl('acme', options)).toBe('http://acme.apps.example.com');
    expect(renderIngress(spec, options).spec!.tls).toBeUndefined();
    const issued = renderIngress(spec, { ...options, certManagerIssuer: 'letsencrypt' });
    expect(issued.metadata!.annotations!['cert-manager.io/cluster-issuer']).toBe('letsencrypt');
    expect(issued.spec!.tls).toEqual([{ hosts: ['acme.apps.example.com'], secretName: 'app-tls' }]);
    expect(renderIngress(spec, { ...options, tlsSecret: 'wildcard' }).spec!.tls![0]!.secretName).toBe('wildcard');
    expect(accessUrl('acme', { ...options, tlsSecret: 'wildcard' })).toBe('https://acme.apps.example.com');
  });
});
