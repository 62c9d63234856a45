import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  IdentityRpc,
  TenantsRpc,
  type TenantAccess,
  type TenantAccessRequest,
  type TenantMemberRole,
  type TenantPlan,
  type TenantPlansRequest,
  type TenantRefRequest,
  type UserProfile,
  type UserProfilesRequest,
} from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { respondRpc, type SubjectNaming } from './rpc-responder.js';

const RANK: Record<TenantMemberRole, number> = { member: 1, admin: 2, owner: 3 };

/** What `rpc.tenants.get` answers of a tenant set with `FakeTenantAccess.tenant` (the fields a consumer reads). */
export interface FakeTenant {
  name: string;
  owner_id: string;
  contact_email: string | null;
}

/**
 * `rpc.tenants.access` as the tenants service answers it (stranger 404, role too low 403, admins
 * pass), `rpc.tenants.plans` and `rpc.tenants.get`, from in-memory tables, so the webhooks service
 * is tested without tenants.
 */
export class FakeTenantAccess {
  private readonly members = new Map<string, Map<string, TenantMemberRole>>();
  private readonly plans = new Map<string, TenantPlan>();
  private readonly tenants = new Map<string, FakeTenant>();
  private readonly subs: Subscription[] = [];
  /** Tenant ids `rpc.tenants.get` was asked for, in order. */
  readonly gets: string[] = [];

  /** A tenant `rpc.tenants.get` knows (others: 404). */
  tenant(tenantId: string, tenant: FakeTenant): this {
    this.tenants.set(tenantId, tenant);
    return this;
  }

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
    const notFound = () => new DomainException('TENANT_NOT_FOUND', 'No tenant with that id.', { status: 404 });
    this.subs.push(
      respondRpc(nc, naming, TenantsRpc.plans, (req: TenantPlansRequest) => {
        const known = req.ids.filter((id) => this.members.has(id));
        return { plans: Object.fromEntries(known.map((id) => [id, this.plans.get(id) ?? 'enterprise'])) };
      }),
      respondRpc(nc, naming, TenantsRpc.access, (req: TenantAccessRequest): TenantAccess => {
        const members = this.members.get(req.id);
        if (!members) throw notFound();
        if (req.caller.roles.includes('admin')) return { tenant_id: req.id, slug: 'x', status: 'active', role: 'platform_admin' };
        const role = members.get(req.caller.actor.id ?? '');
        if (!role) throw notFound();
        if (RANK[role] < RANK[req.role]) throw new DomainException('FORBIDDEN', 'Not allowed.', { status: 403 });
        return { tenant_id: req.id, slug: 'x', status: 'active', role };
      }),
      respondRpc(nc, naming, TenantsRpc.get, (req: TenantRefRequest) => {
        this.gets.push(req.id);
        const t = this.tenants.get(req.id);
        if (!t) throw notFound();
        return { id: req.id, ...t, updated_at: new Date().toISOString() };
      }),
    );
    await nc.flush();
  }

  stop(): void {
    for (const sub of this.subs) sub.unsubscribe();
  }
}

/** `rpc.identity.users.profiles` from an in-memory table, so a service is tested without identity. */
export class FakeUserProfiles {
  private readonly users = new Map<string, UserProfile>();
  private sub?: Subscription;

  add(id: string, email: string, options: { name?: string; isActive?: boolean } = {}): this {
    this.users.set(id, { id, email, name: options.name ?? email.split('@')[0]!, is_active: options.isActive ?? true });
    return this;
  }

  async serve(nc: NatsConnection, naming: SubjectNaming): Promise<void> {
    this.sub = respondRpc(nc, naming, IdentityRpc.usersProfiles, (req: UserProfilesRequest) => ({
      results: req.ids.flatMap((id) => (this.users.has(id) ? [this.users.get(id)!] : [])),
    }));
    await nc.flush();
  }

  stop(): void {
    this.sub?.unsubscribe();
  }
}
