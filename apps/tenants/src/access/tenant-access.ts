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
  /** Whether the tenant's instance admin password is stored (the view's `has_admin_password`). */
  hasPassword: boolean;
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

  /**
   * The grant for a step inside `tx` (with `lock`, the tenant row is locked until it commits), in
   * one statement: the tenant, the caller's role in it and whether its instance password is set.
   */
  async authorize(tx: EntityManager, caller: CallerDto, tenantId: string, needed: TenantMemberRole, lock = false): Promise<TenantGrant> {
    this.refuseOutOfReach(caller, tenantId);
    const rows: ReadRow[] = await tx.query(
      `SELECT t.*, ${this.grantColumns(tx, 'CAST($2 AS uuid)')}
         FROM ${tableOf(tx, Tenant)} t
        WHERE t.id = $1${lock ? ' FOR UPDATE OF t' : ''}`,
      [tenantId, this.memberKey(caller)],
    );
    return this.grant(tx, caller, rows[0], needed);
  }

  /**
   * `authorize` for a read (issue 9: a hot read costs one indexed lookup). Reads arriving together
   * share one statement (`ReadBatch`), so this reads committed state only: a step inside a
   * transaction uses `authorize`.
   */
  async authorizeRead(caller: CallerDto, tenantId: string, needed: TenantMemberRole): Promise<TenantGrant> {
    this.refuseOutOfReach(caller, tenantId);
    return this.grant(this.ds.manager, caller, await this.reads.get({ tenantId, userId: this.memberKey(caller) }), needed);
  }

  /** 404 before any query: a credential bound to another tenant, or an id that is not one (it would fail a batch's uuid cast). */
  private refuseOutOfReach(caller: CallerDto, tenantId: string): void {
    if ((caller.tenant_id && caller.tenant_id !== tenantId) || !UUID.test(tenantId)) throw TenantsException.tenantNotFound();
  }

  /** Same answers everywhere: someone else's tenant is a 404, a role too low a 403, admins pass. */
  private grant(m: EntityManager, caller: CallerDto, row: ReadRow | undefined, needed: TenantMemberRole): TenantGrant {
    if (!row) throw TenantsException.tenantNotFound();
    // Plain SQL and entityFromRow rather than the query builder, whose SQL building cost more CPU than the lookup.
    const tenant = entityFromRow(m, Tenant, row);
    const hasPassword = row.has_password === true;
    if (isAdmin(caller)) return { tenant, role: 'platform_admin', hasPassword };
    const role = row.member_role;
    if (!role) throw TenantsException.tenantNotFound();
    if (RANK[role] < RANK[needed]) throw TenantsException.forbidden();
    return { tenant, role, hasPassword };
  }

  /** The user whose membership decides, or null: admins need none, and a service caller's id is not a user's (not even a uuid). */
  private memberKey(caller: CallerDto): string | null {
    const userId = isAdmin(caller) ? null : callerUserId(caller);
    return userId && UUID.test(userId) ? userId : null;
  }

  /** The select-list columns of a grant next to `t.*`: the role of the user `userId` names, and the has-password flag. */
  private grantColumns(m: EntityManager, userId: string): string {
    return `(SELECT m.role FROM ${tableOf(m, TenantMember)} m WHERE m.tenant_id = t.id AND m.user_id = ${userId}) AS member_role, ${hasPasswordColumn(m)}`;
  }

  /** One statement for a batch of reads, each row matched back to its key by ordinality. */
  private async loadReads(keys: readonly ReadKey[]): Promise<Array<ReadRow | undefined>> {
    const m = this.ds.manager;
    const rows: Array<ReadRow & { ord: string }> = await m.query(
      `SELECT t.*, r.ord, ${this.grantColumns(m, 'r.user_id')}
         FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS r(tenant_id, user_id, ord)
         JOIN ${tableOf(m, Tenant)} t ON t.id = r.tenant_id`,
      [keys.map((k) => k.tenantId), keys.map((k) => k.userId)],
    );
    const answers = new Array<ReadRow | undefined>(keys.length);
    for (const { ord, ...row } of rows) answers[Number(ord) - 1] = row;
    return answers;
  }
}

/** The select-list column `has_password` of a tenant aliased `t`: whether its instance admin password is stored. */
export function hasPasswordColumn(m: EntityManager): string {
  return `EXISTS (SELECT 1 FROM ${tableOf(m, TenantSecret)} s WHERE s.tenant_id = t.id) AS has_password`;
}

interface ReadKey {
  tenantId: string;
  /** A user whose role to read, or null (an admin, a service). */
  userId: string | null;
}

type ReadRow = Record<string, unknown> & { member_role: TenantMemberRole | null; has_password: boolean };
