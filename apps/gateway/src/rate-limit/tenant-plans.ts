import { Injectable } from '@nestjs/common';
import { TenantsRpc } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TTL_MS = 30_000;
/** After a failed lookup: no tenant quota for a short while (the users' own tiers still apply). */
const FAILED_TTL_MS = 5_000;
const MAX_ENTRIES = 50_000;

/**
 * The plan of each tenant, for its rate-limit quota: one `rpc.tenants.plans` per tenant per 30 s at
 * most (concurrent misses share it), answered from memory otherwise, so the hot path stays an in-memory
 * lookup. A plan change reaches the quota within the TTL.
 */
@Injectable()
export class TenantPlanCache {
  private readonly plans = new Map<string, { plan: string | null; until: number }>();
  private readonly pending = new Map<string, Promise<string | null>>();

  constructor(private readonly rpc: RpcClient) {}

  /** The plan (at once when known), or null: no such tenant, or an id that is not a UUID. */
  planOf(tenantId: string): string | null | Promise<string | null> {
    if (!UUID.test(tenantId)) return null;
    const id = tenantId.toLowerCase();
    const hit = this.plans.get(id);
    if (hit && hit.until > Date.now()) return hit.plan;
    const inFlight = this.pending.get(id);
    if (inFlight) return inFlight;
    const lookup = this.rpc
      .call(TenantsRpc.plans, { ids: [id] })
      .then(
        (view) => this.remember(id, view.plans[id] ?? null, TTL_MS),
        () => this.remember(id, null, FAILED_TTL_MS),
      )
      .finally(() => this.pending.delete(id));
    this.pending.set(id, lookup);
    return lookup;
  }

  private remember(id: string, plan: string | null, ttlMs: number): string | null {
    if (this.plans.size >= MAX_ENTRIES) this.plans.clear();
    this.plans.set(id, { plan, until: Date.now() + ttlMs });
    return plan;
  }
}
