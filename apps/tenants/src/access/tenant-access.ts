import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { callerUserId, isAdmin, type CallerDto, type TenantAccess as TenantAccessView, type TenantMemberRole } from '@saas/contracts';
import { entityFromRow, ReadBatch, tableOf } from '@saas/database';
import { TenantMember } from '../members/tenant-member.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { TenantsException } from '../tenants/tenants.exception.js';
import { TenantSecret } from '../tenants/tenant-secret.entity.js';

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
  private readonly reads = new ReadBatch<ReadKey, ReadRow>((keys) => this.loadReads(keys));

  constructor(private readonly ds: DataSource) {}

  /** `rpc.tenants.access`: may this caller act on the tenant with `role`? Other services ask before acting for a user. */
  async check(caller: CallerDto, tenantId: string, needed: TenantMemberRole): Promise<TenantAccessView> {
    const { tenant, role } = await this.authorizeRead(caller, tenantId, needed);
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
   * tenant is a 404, a role too low a 403. Reads arriving together share one statement (`ReadBatch`),
   * so it reads committed state only: a step inside a transaction uses `authorize`.
   */
  async authorizeRead(caller: CallerDto, tenantId: string, needed: TenantMemberRole): Promise<TenantGrant & { hasPassword: boolean }> {
    if (caller.tenant_id && caller.tenant_id !== tenantId) throw TenantsException.tenantNotFound();
    if (!UUID.test(tenantId)) throw TenantsException.tenantNotFound();
    // Admins need no membership, and a service caller's id is not a user's (not even a uuid).
    const userId = isAdmin(caller) ? null : callerUserId(caller);
    const row = await this.reads.get({ tenantId, userId: userId && UUID.test(userId) ? userId : null });
    if (!row) throw TenantsException.tenantNotFound();
    const tenant = entityFromRow(this.ds.manager, Tenant, row);
    const hasPassword = row.has_password === true;
    if (isAdmin(caller)) return { tenant, role: 'platform_admin', hasPassword };
    const role = row.member_role;
    if (!role) throw TenantsException.tenantNotFound();
    if (RANK[role] < RANK[needed]) throw TenantsException.forbidden();
    return { tenant, role, hasPassword };
  }

  /**
   * One statement for a batch of reads: each key's tenant row, the key's user's role in it and the
   * has-password flag, matched back to its key by ordinality. Plain SQL and `entityFromRow` rather
   * than the query builder, whose SQL building cost more CPU than the lookup.
   */
  private async loadReads(keys: readonly ReadKey[]): Promise<Array<ReadRow | undefined>> {
    const m = this.ds.manager;
    const rows: Array<ReadRow & { ord: string }> = await m.query(
      `SELECT t.*, r.ord,
              (SELECT m.role FROM ${tableOf(m, TenantMember)} m WHERE m.tenant_id = t.id AND m.user_id = r.user_id) AS member_role,
              EXISTS (SELECT 1 FROM ${tableOf(m, TenantSecret)} s WHERE s.tenant_id = t.id) AS has_password
         FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS r(tenant_id, user_id, ord)
         JOIN ${tableOf(m, Tenant)} t ON t.id = r.tenant_id`,
      [keys.map((k) => k.tenantId), keys.map((k) => k.userId)],
    );
    const answers = new Array<ReadRow | undefined>(keys.length);
    for (const { ord, ...row } of rows) answers[Number(ord) - 1] = row;
    return answers;
  }
}

interface ReadKey {
  tenantId: string;
  /** A user whose role to read, or null (an admin, a service). */
  userId: string | null;
}

type ReadRow = Record<string, unknown> & { member_role: TenantMemberRole | null; has_password: boolean };
