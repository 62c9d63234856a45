import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { callerUserId, isAdmin, type CallerDto, type TenantAccess as TenantAccessView, type TenantMemberRole } from '@saas/contracts';
import { entityFromRow, tableOf } from '@saas/database';
import { TenantMember } from '../members/tenant-member.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { TenantsException } from '../tenants/tenants.exception.js';

const RANK: Record<TenantMemberRole, number> = { member: 1, admin: 2, owner: 3 };
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TenantGrant {
  tenant: Tenant;
  role: TenantMemberRole | 'platform_admin';
}

/**
 * Tenant-scoped authorization in one place: a caller who is not a member of the tenant gets 404 (the
 * tenant's existence is not revealed), a member whose role is too low gets 403, platform admins pass.
 * A credential bound to one tenant (tenant API key) reaches that tenant only.
 */
@Injectable()
export class TenantAccess {
  constructor(private readonly ds: DataSource) {}

  /** `rpc.tenants.access`: may this caller act on the tenant with `role`? Other services ask before acting for a user. */
  async check(caller: CallerDto, tenantId: string, needed: TenantMemberRole): Promise<TenantAccessView> {
    const { tenant, role } = await this.authorize(this.ds.manager, caller, tenantId, needed);
    return { tenant_id: tenant.id, slug: tenant.slug, status: tenant.status, role };
  }

  async authorize(tx: EntityManager, caller: CallerDto, tenantId: string, needed: TenantMemberRole, lock = false): Promise<TenantGrant> {
    if (caller.tenant_id && caller.tenant_id !== tenantId) throw TenantsException.tenantNotFound();
    const tenant = await tx.getRepository(Tenant).findOne({ where: { id: tenantId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!tenant) throw TenantsException.tenantNotFound();
    if (isAdmin(caller)) return { tenant, role: 'platform_admin' };
    const userId = callerUserId(caller);
    const membership = userId ? await tx.getRepository(TenantMember).findOneBy({ tenantId, userId }) : null;
    if (!membership) throw TenantsException.tenantNotFound();
    if (RANK[membership.role] < RANK[needed]) throw TenantsException.forbidden();
    return { tenant, role: membership.role };
  }

  /**
   * `authorize` for a read, in one query (issue 9: a hot read costs one indexed lookup): the tenant,
   * the caller's role in it and whether its instance password is set. Same answers: someone else's
   * tenant is a 404, a role too low a 403.
   */
  async authorizeRead(tx: EntityManager, caller: CallerDto, tenantId: string, needed: TenantMemberRole): Promise<TenantGrant & { hasPassword: boolean }> {
    if (caller.tenant_id && caller.tenant_id !== tenantId) throw TenantsException.tenantNotFound();
    // Admins need no membership, and a service caller's id is not a user's (not even a uuid).
    const userId = isAdmin(caller) ? null : callerUserId(caller);
    // Plain SQL and entityFromRow rather than the query builder, whose SQL building cost more CPU than the lookup.
    const rows: Array<Record<string, unknown> & { member_role: TenantMemberRole | null; has_password: boolean }> = await tx.query(
      `SELECT t.*,
              ${userId && UUID.test(userId) ? '(SELECT m.role FROM tenant_members m WHERE m.tenant_id = t.id AND m.user_id = $2)' : 'NULL::text'} AS member_role,
              EXISTS (SELECT 1 FROM tenant_secrets s WHERE s.tenant_id = t.id) AS has_password
         FROM ${tableOf(tx, Tenant)} t
        WHERE t.id = $1`,
      userId && UUID.test(userId) ? [tenantId, userId] : [tenantId],
    );
    const row = rows[0];
    if (!row) throw TenantsException.tenantNotFound();
    const tenant = entityFromRow(tx, Tenant, row);
    const hasPassword = row.has_password === true;
    if (isAdmin(caller)) return { tenant, role: 'platform_admin', hasPassword };
    const role = row.member_role;
    if (!role) throw TenantsException.tenantNotFound();
    if (RANK[role] < RANK[needed]) throw TenantsException.forbidden();
    return { tenant, role, hasPassword };
  }
}
