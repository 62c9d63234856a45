import { PLAN_CATALOGUE } from '@saas/contracts';

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

/** CPU, memory and storage of the catalogued plans come from the one plan catalogue (libs/contracts). */
function fromCatalogue(plan: Exclude<TenantPlan, 'starter'>, max_pods: number): PlanResources {
  const { cpu_request, cpu_limit, memory_request, memory_limit, storage } = PLAN_CATALOGUE[plan].limits;
  return { cpu_request, cpu_limit, memory_request, memory_limit, storage, max_pods, replicas: 1 };
}

export const PLAN_RESOURCES: Readonly<Record<TenantPlan, Readonly<PlanResources>>> = Object.freeze({
  free: fromCatalogue('free', 2),
  // Not sold (not in the catalogue); kept for instances created with it.
  starter: { cpu_request: '250m', cpu_limit: '1', memory_request: '512Mi', memory_limit: '1Gi', storage: '5Gi', max_pods: 3, replicas: 1 },
  standard: fromCatalogue('standard', 4),
  premium: fromCatalogue('premium', 6),
  enterprise: fromCatalogue('enterprise', 10),
});

export function planResources(plan: TenantPlan): PlanResources {
  const resources = PLAN_RESOURCES[plan];
  if (!resources) throw new Error(`unknown plan ${JSON.stringify(plan)}`);
  return { ...resources };
}
