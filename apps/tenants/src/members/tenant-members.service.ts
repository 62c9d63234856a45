import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { callerUserId, EventTypes, parseOrdering, type ListResult, type ListTenantMembersRequest, type TenantMemberRequest, type TenantMemberView } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { TenantAccess } from '../access/tenant-access.js';
import { TenantsException } from '../tenants/tenants.exception.js';
import { MembersException } from './members.exception.js';
import { TenantMember } from './tenant-member.entity.js';

const MEMBER_ORDERING = ['created_at', 'role'];

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

  async list(req: ListTenantMembersRequest): Promise<ListResult<TenantMemberView>> {
    await this.access.authorize(this.ds.manager, req.caller, req.id, 'member');
    const ordering = parseOrdering(req.ordering, MEMBER_ORDERING, { created_at: 'ASC' });
    if (!ordering.ok) throw MembersException.invalidOrdering(ordering.field, MEMBER_ORDERING);
    const order = Object.fromEntries(Object.entries(ordering.order).map(([field, dir]) => [field === 'role' ? 'role' : 'createdAt', dir]));
    const [rows, count] = await this.ds.getRepository(TenantMember).findAndCount({
      where: { tenantId: req.id, ...(req.role ? { role: req.role } : {}) },
      order: { ...order, userId: 'ASC' },
      skip: (req.page - 1) * req.page_size,
      take: req.page_size,
    });
    return { count, results: rows.map(toView) };
  }

  /** Admins of the tenant add members; only its owner (or a platform admin) adds admins. Re-adding changes the role. */
  async add(req: TenantMemberRequest): Promise<TenantMemberView> {
    return this.ds.transaction(async (tx) => {
      const role = req.role ?? 'member';
      const grant = await this.access.authorize(tx, req.caller, req.id, role === 'admin' ? 'owner' : 'admin');
      if (grant.tenant.status === 'deleted' || grant.tenant.status === 'deleting') {
        throw MembersException.tenantGone();
      }
      const repo = tx.getRepository(TenantMember);
      const existing = await repo.findOneBy({ tenantId: req.id, userId: req.user_id });
      if (existing?.role === 'owner') throw MembersException.ownerAlreadyMember();
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
      if (!member) throw MembersException.memberNotFound();
      if (member.role === 'owner') throw MembersException.ownerCannotBeRemoved();
      if (member.role === 'admin' && !self && grant.role !== 'owner' && grant.role !== 'platform_admin') throw TenantsException.forbidden();
      await repo.delete({ tenantId: req.id, userId: req.user_id });
      await this.outbox.add(tx, {
        type: EventTypes.TenantMemberRemoved,
        tenantId: req.id,
        data: { tenant_id: req.id, user_id: req.user_id, role: member.role },
      });
    });
  }
}
