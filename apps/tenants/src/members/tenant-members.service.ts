import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { callerUserId, EventTypes, type CallerDto, type TenantMemberRequest } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { EventOutbox } from '@saas/messaging';
import { TenantAccess } from '../access/tenant-access.js';
import { TenantForbiddenException } from '../tenants/tenant.exception.js';
import { TenantMember } from './tenant-member.entity.js';

export interface TenantMemberView {
  tenant_id: string;
  user_id: string;
  role: string;
  added_by: string | null;
  created_at: string;
}

const toView = (m: TenantMember): TenantMemberView => ({
  tenant_id: m.tenantId,
  user_id: m.userId,
  role: m.role,
  added_by: m.addedBy,
  created_at: m.createdAt.toISOString(),
});

/** tenants/{id}/users: who belongs to a tenant and with which role. */
@Injectable()
export class TenantMembersService {
  constructor(
    private readonly ds: DataSource,
    private readonly access: TenantAccess,
    private readonly outbox: EventOutbox,
  ) {}

  async list(caller: CallerDto, tenantId: string): Promise<{ count: number; results: TenantMemberView[] }> {
    await this.access.authorize(this.ds.manager, caller, tenantId, 'member');
    const rows = await this.ds.getRepository(TenantMember).find({ where: { tenantId }, order: { createdAt: 'ASC' } });
    return { count: rows.length, results: rows.map(toView) };
  }

  /** Admins of the tenant add members; only its owner (or a platform admin) adds admins. Re-adding changes the role. */
  async add(req: TenantMemberRequest): Promise<TenantMemberView> {
    return this.ds.transaction(async (tx) => {
      const role = req.role ?? 'member';
      const grant = await this.access.authorize(tx, req.caller, req.id, role === 'admin' ? 'owner' : 'admin');
      if (grant.tenant.status === 'deleted' || grant.tenant.status === 'deleting') {
        throw new DomainException('INVALID_TENANT_STATE', 'Members of a deleted tenant cannot change.', { status: 409 });
      }
      const repo = tx.getRepository(TenantMember);
      const existing = await repo.findOneBy({ tenantId: req.id, userId: req.user_id });
      if (existing?.role === 'owner') throw new DomainException('CONFLICT', 'The owner is already a member; ownership does not change here.', { status: 409 });
      if (existing?.role === role) return toView(existing);
      await repo.upsert({ tenantId: req.id, userId: req.user_id, role, addedBy: callerUserId(req.caller) }, ['tenantId', 'userId']);
      await this.outbox.add(tx, {
        type: EventTypes.TenantMemberAdded,
        tenantId: req.id,
        data: { tenant_id: req.id, user_id: req.user_id, role, previous_role: existing?.role ?? null },
      });
      return toView(await repo.findOneByOrFail({ tenantId: req.id, userId: req.user_id }));
    });
  }

  /** Admins remove members, the owner removes admins, anyone may leave; the owner cannot be removed. */
  async remove(req: TenantMemberRequest): Promise<void> {
    await this.ds.transaction(async (tx) => {
      const self = callerUserId(req.caller) === req.user_id;
      const grant = await this.access.authorize(tx, req.caller, req.id, self ? 'member' : 'admin');
      const repo = tx.getRepository(TenantMember);
      const member = await repo.findOneBy({ tenantId: req.id, userId: req.user_id });
      if (!member) throw new DomainException('MEMBER_NOT_FOUND', 'That user is not a member of this tenant.', { status: 404 });
      if (member.role === 'owner') throw new DomainException('CONFLICT', 'The owner cannot be removed from their tenant.', { status: 409 });
      if (member.role === 'admin' && !self && grant.role !== 'owner' && grant.role !== 'platform_admin') throw new TenantForbiddenException();
      await repo.delete({ tenantId: req.id, userId: req.user_id });
      await this.outbox.add(tx, {
        type: EventTypes.TenantMemberRemoved,
        tenantId: req.id,
        data: { tenant_id: req.id, user_id: req.user_id, role: member.role },
      });
    });
  }
}
