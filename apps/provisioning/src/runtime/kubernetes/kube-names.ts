import type { TenantSpec } from '../tenant-runtime.js';
import { tenantNamespace } from '../tenant-names.js';

/** Fixed names inside a tenant's namespace: the namespace itself is what tells tenants apart. */
export const KubeNames = Object.freeze({
  deployment: 'app',
  service: 'app',
  ingress: 'app',
  secret: 'app-env',
  volumeClaim: 'app-data',
  quota: 'tenant-quota',
  limitRange: 'tenant-limits',
  networkPolicy: 'tenant-isolation',
  volumeJobEgress: 'volume-jobs-egress',
});

export const FIELD_MANAGER = 'saas-control-plane';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_TENANT_ID = 'saas-control-plane/tenant-id';
export const LABEL_TENANT_SLUG = 'saas-control-plane/tenant-slug';
export const LABEL_PLAN = 'saas-control-plane/plan';
export const ANNOTATION_REPLICAS = 'saas-control-plane/replicas';
export const ANNOTATION_DATABASE = 'saas-control-plane/database';
export const ANNOTATION_CONFIG_HASH = 'saas-control-plane/config-hash';
export const ANNOTATION_RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export function tenantLabels(spec: Pick<TenantSpec, 'tenantId' | 'slug' | 'plan'>): Record<string, string> {
  return {
    [LABEL_MANAGED_BY]: FIELD_MANAGER,
    'app.kubernetes.io/name': 'tenant-app',
    'app.kubernetes.io/instance': spec.slug,
    [LABEL_TENANT_ID]: spec.tenantId,
    [LABEL_TENANT_SLUG]: spec.slug,
    [LABEL_PLAN]: spec.plan,
  };
}

/** Immutable once a Deployment exists, so it never includes the plan. */
export function podSelector(slug: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'tenant-app', 'app.kubernetes.io/instance': slug };
}

export { tenantNamespace };
