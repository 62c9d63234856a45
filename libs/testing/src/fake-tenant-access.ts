import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { TenantsRpc, type TenantAccessRequest, type TenantMemberRole, type TenantPlan, type TenantPlansRequest } from '@saas/contracts';
import { DomainException, toRpcError } from '@saas/errors';
/** What is needed of @saas/messaging's SubjectNaming (testing does not depend on messaging). */
interface SubjectNaming {
  subject(name: string): string;
}

const RANK: Record<TenantMemberRole, number> = { member: 1, admin: 2, owner: 3 };

function reply(msg: Msg, body: { response?: unknown; err?: unknown }): void {
  const { id } = msg.json<{ id: string }>();
  msg.respond(JSON.stringify({ id, ...body, isDisposed: true }));
}

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
      nc.subscribe(naming.subject(TenantsRpc.plans), {
        callback: (_err, msg) => {
          const req = msg.json<{ data: TenantPlansRequest }>().data;
          const known = req.ids.filter((id) => this.members.has(id));
          reply(msg, { response: { plans: Object.fromEntries(known.map((id) => [id, this.plans.get(id) ?? 'enterprise'])) } });
        },
      }),
    );
    const access = nc.subscribe(naming.subject(TenantsRpc.access), {
      callback: (_err, msg) => {
        const req = msg.json<{ data: TenantAccessRequest }>().data;
        const members = this.members.get(req.id);
        const notFound = () => reply(msg, { err: toRpcError(new DomainException('TENANT_NOT_FOUND', 'No tenant with that id.', { status: 404 })) });
        if (!members) return notFound();
        if (req.caller.roles.includes('admin')) return reply(msg, { response: { tenant_id: req.id, slug: 'x', status: 'active', role: 'platform_admin' } });
        const role = members.get(req.caller.actor.id ?? '');
        if (!role) return notFound();
        if (RANK[role] < RANK[req.role]) return reply(msg, { err: toRpcError(new DomainException('FORBIDDEN', 'Not allowed.', { status: 403 })) });
        reply(msg, { response: { tenant_id: req.id, slug: 'x', status: 'active', role } });
      },
    });
    this.subs.push(access);
    await nc.flush();
  }

  stop(): void {
    for (const sub of this.subs) sub.unsubscribe();
  }
}
