/**
 * What each plan gets. Kubernetes enforces all of it (requests/limits on the container, a
 * ResourceQuota and LimitRange on the namespace, the PVC size); the local runtime reports it but
 * cannot enforce it (no cgroups for plain processes).
 *
 * Quantities use Kubernetes notation so the same values go into manifests unchanged.
 * A namespace's quota is the per-pod size times `max_pods`: room for the replicas plus one extra
 * pod during a restart or a migration job, never more.
 */
export const TENANT_PLANS = ['free', 'starter', 'standard', 'premium', 'enterprise'] as const;
export type TenantPlan = (typeof TENANT_PLANS)[number];

export interface PlanResources {
  cpu_request: string;
  cpu_limit: string;
  memory_request: string;
  memory_limit: string;
  /** Size of the instance's persistent volume (Odoo filestore) and the database-size budget. */
  storage: string;
  /** Pods the namespace may hold at once (replicas + room for a rollout). */
  max_pods: number;
  /** Replicas while running. Odoo keeps sessions and its filestore on disk, so one writer per tenant. */
  replicas: number;
}

export const PLAN_RESOURCES: Readonly<Record<TenantPlan, Readonly<PlanResources>>> = Object.freeze({
  free: { cpu_request: '100m', cpu_limit: '500m', memory_request: '256Mi', memory_limit: '512Mi', storage: '1Gi', max_pods: 2, replicas: 1 },
  starter: { cpu_request: '250m', cpu_limit: '1', memory_request: '512Mi', memory_limit: '1Gi', storage: '5Gi', max_pods: 3, replicas: 1 },
  standard: { cpu_request: '500m', cpu_limit: '2', memory_request: '1Gi', memory_limit: '2Gi', storage: '20Gi', max_pods: 4, replicas: 1 },
  premium: { cpu_request: '1', cpu_limit: '4', memory_request: '2Gi', memory_limit: '4Gi', storage: '50Gi', max_pods: 6, replicas: 1 },
  enterprise: { cpu_request: '2', cpu_limit: '8', memory_request: '4Gi', memory_limit: '8Gi', storage: '200Gi', max_pods: 10, replicas: 1 },
});

export function planResources(plan: TenantPlan): PlanResources {
  const resources = PLAN_RESOURCES[plan];
  if (!resources) throw new Error(`unknown plan ${JSON.stringify(plan)}`);
  return { ...resources };
}
