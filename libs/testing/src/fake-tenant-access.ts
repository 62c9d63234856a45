import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { TenantsRpc, type TenantAccess, type TenantAccessRequest, type TenantMemberRole, type TenantPlan, type TenantPlansRequest } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { respondRpc, type SubjectNaming } from './rpc-responder.js';

const RANK: Record<TenantMemberRole, number> = { member: 1, admin: 2, owner: 3 };

/**
 * `rpc.tenants.access` as the tenants service answers it (stranger 404, role too low 403, admins
 * pass) and `rpc.tenants.plans`, from in-memory tables, so the webhooks service is tested without tenants.
 */
export class FakeTenantAccess {
  private readonly members = new Map<string, Map<string, TenantMemberRole>>();
  private readonly plans = new Map<string, TenantPlan>();
  private readonly subs: Subscription[] = [];

  /** A tenant's plan (`rpc.tenants.plans`); tenants not set here are on the largest plan. */
  plan(tenantId: string, plan: TenantPlan): this {
    this.plans.set(tenantId, plan);
    return this;
  }

  add(tenantId: string, userId: string, role: TenantMemberRole): this {
    const m = this.members.get(tenantId) ?? new Map<string, TenantMemberRole>();
    m.set(userId, role);
    this.members.set(tenantId, m);
    return this;
  }

  async serve(nc: NatsConnection, naming: SubjectNaming): Promise<void> {
    this.subs.push(
      respondRpc(nc, naming, TenantsRpc.plans, (req: TenantPlansRequest) => {
        const known = req.ids.filter((id) => this.members.has(id));
        return { plans: Object.fromEntries(known.map((id) => [id, this.plans.get(id) ?? 'enterprise'])) };
      }),
      respondRpc(nc, naming, TenantsRpc.access, (req: TenantAccessRequest): TenantAccess => {
        const members = this.members.get(req.id);
        const notFound = new DomainException('TENANT_NOT_FOUND', 'No tenant with that id.', { status: 404 });
        if (!members) throw notFound;
        if (req.caller.roles.includes('admin')) return { tenant_id: req.id, slug: 'x', status: 'active', role: 'platform_admin' };
        const role = members.get(req.caller.actor.id ?? '');
        if (!role) throw notFound;
        if (RANK[role] < RANK[req.role]) throw new DomainException('FORBIDDEN', 'Not allowed.', { status: 403 });
        return { tenant_id: req.id, slug: 'x', status: 'active', role };
      }),
    );
    await nc.flush();
  }

  stop(): void {
    for (const sub of this.subs) sub.unsubscribe();
  }
}
