import { Injectable } from '@nestjs/common';
import { DataSource, In, type SelectQueryBuilder } from 'typeorm';
import {
  IdentityEventTypes,
  parseOrdering,
  PLAN_CATALOGUE,
  type CreateUserRequest,
  type ListResult,
  type ListUsersRequest,
  type UsersStats,
  type UsersStatsRequest,
  type UpdateUserRequest,
  type UserListRequest,
  type UserProfile,
  type UserProfilesRequest,
  type UserRefRequest,
  type UserSubscriptionView,
  type UserTenantView,
  type UserView,
} from '@saas/contracts';
import { containsPattern, isUniqueViolation, paginate } from '@saas/database';
import { DomainException } from '@saas/errors';
import { EventOutbox } from '@saas/messaging';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { LoginThrottleService } from '../auth/login-throttle.service.js';
import { CallerResolver, type Principal } from '../common/caller.js';
import { UserSubscription } from '../projections/user-subscription.entity.js';
import { UserTenant } from '../projections/user-tenant.entity.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { PasswordHasher } from './password-hasher.js';
import { passwordWeaknesses } from './password-policy.js';
import { effectiveTiers, TIER_ORDER } from './effective-plan-tier.js';
import { User } from './user.entity.js';
import { applyProfileFields, auditableFields, diff, fullName, normalizeEmail, requestedRole, resolveNames, toUserView, viewOfUser } from './user.view.js';
import { UsersException } from './users.exception.js';
import { Clock } from '@saas/service-kit';

/** Fields only an admin may set, and never on their own account. */
const PRIVILEGED_SELF_FIELDS = ['role', 'roles', 'is_active'] as const;
/** Fields a non-admin may not change through users.update (email and password have their own flows). */
const ADMIN_ONLY_FIELDS = ['role', 'roles', 'is_active', 'tier', 'email', 'password'] as const;

/**
 * Platform user administration. Admins manage everyone; a user sees and edits only their own
 * record (anyone else's answers 404), and nobody changes their own role or active flag.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    private readonly callers: CallerResolver,
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeysService,
    private readonly throttle: LoginThrottleService,
  ) {}

  async stats(req: UsersStatsRequest): Promise<UsersStats> {
    await this.callers.requireAdmin(req.caller);
    const rows: Array<{ tier: string; total: number; active: number; admins: number; verified: number; day: number; week: number; logged_in: number }> =
      await this.ds.query(
        // By the tier the users' tokens carry: the override, else the most generous plan they own.
        `WITH tiered AS (
           SELECT u.*, coalesce(u.tier_override, ($1::text[])[1 + coalesce((
             SELECT max(array_position($1::text[], r.tier)) - 1 FROM user_subscriptions s
               JOIN jsonb_to_recordset($2::jsonb) AS r(plan text, tier text) ON r.plan = s.plan
              WHERE s.user_id = u.id AND s.is_active), 0)]) AS tier
             FROM users u)
         SELECT tier, count(*)::int AS total,
                count(*) FILTER (WHERE is_active)::int AS active,
                count(*) FILTER (WHERE role = 'admin')::int AS admins,
                count(*) FILTER (WHERE email_verified_at IS NOT NULL)::int AS verified,
                count(*) FILTER (WHERE created_at > now() - interval '1 day')::int AS day,
                count(*) FILTER (WHERE created_at > now() - interval '7 days')::int AS week,
                count(*) FILTER (WHERE last_login > now() - interval '1 day')::int AS logged_in
           FROM tiered GROUP BY tier`,
        [TIER_ORDER, JSON.stringify(Object.values(PLAN_CATALOGUE).map((p) => ({ plan: p.code, tier: p.limits.rate_limit_tier })))],
      );
    const stats: UsersStats = {
      total: 0,
      active: 0,
      inactive: 0,
      admins: 0,
      email_verified: 0,
      created_last_24h: 0,
      created_last_7d: 0,
      logged_in_last_24h: 0,
      by_plan_tier: {},
    };
    for (const r of rows) {
      stats.total += r.total;
      stats.active += r.active;
      stats.admins += r.admins;
      stats.email_verified += r.verified;
      stats.created_last_24h += r.day;
      stats.created_last_7d += r.week;
      stats.logged_in_last_24h += r.logged_in;
      stats.by_plan_tier[r.tier] = r.total;
    }
    stats.inactive = stats.total - stats.active;
    return stats;
  }

  async list(req: ListUsersRequest): Promise<ListResult<UserView>> {
    await this.callers.requireAdmin(req.caller);
    const qb = this.ds.getRepository(User).createQueryBuilder('u');
    if (req.role) qb.andWhere('u.role = :role', { role: req.role });
    if (req.is_active !== undefined) qb.andWhere('u.is_active = :active', { active: req.is_active });
    if (req.search) {
      qb.andWhere(`(u.email ILIKE :q OR u.username ILIKE :q OR u.first_name ILIKE :q OR u.last_name ILIKE :q)`, {
        q: containsPattern(req.search),
      });
    }
    const page = await paginate(qb, req, {
      orderable: { created_at: 'createdAt', updated_at: 'updatedAt', email: 'email', last_login: 'lastLogin', role: 'role' },
      defaultOrder: { created_at: 'DESC' },
    });
    const tiers = await effectiveTiers(this.ds.manager, page.results);
    return { count: page.count, results: page.results.map((u) => toUserView(u, tiers.get(u.id)!)) };
  }

  async create(req: CreateUserRequest): Promise<UserView> {
    const admin = await this.callers.requireAdmin(req.caller);
    const email = normalizeEmail(req.email);
    const names = resolveNames(req) ?? { firstName: '', lastName: '' };
    const weak = passwordWeaknesses(req.password, { email });
    if (weak.length > 0) throw DomainException.validation(weak, 'The password is too weak.');
    // Checked up front so the usual conflict is not a failed INSERT (whose parameters TypeORM logs).
    const taken = this.ds.getRepository(User).createQueryBuilder('u').where('lower(u.email) = :email', { email });
    if (await taken.getExists()) throw UsersException.conflict('email');
    if (req.username && (await this.ds.getRepository(User).createQueryBuilder('u').where('lower(u.username) = lower(:name)', { name: req.username }).getExists())) {
      throw UsersException.conflict('username');
    }
    const passwordHash = await this.hasher.hash(req.password);
    try {
      return await this.ds.transaction(async (tx) => {
        const repo = tx.getRepository(User);
        const user = repo.create({
          email,
          passwordHash,
          username: req.username ?? null,
          firstName: names.firstName,
          lastName: names.lastName,
          role: requestedRole(req) ?? 'user',
          tierOverride: req.tier ?? null,
          isActive: req.is_active ?? true,
          metadata: req.metadata ?? {},
          emailVerifiedAt: req.email_verified ? this.clock.now() : null,
        });
        await repo.save(user);
        const saved = await repo.findOneByOrFail({ id: user.id });
        await this.outbox.add(tx, {
          type: IdentityEventTypes.UserCreated,
          data: { user_id: saved.id, ...auditableFields(saved), requested_tenant: null },
          actor: admin.actor,
        });
        return viewOfUser(tx, saved);
      });
    } catch (err) {
      throw this.conflictOr(err);
    }
  }

  /** What a tenant's member list shows of each user (internal: the caller has authorized the tenant). */
  async profiles(req: UserProfilesRequest): Promise<{ results: UserProfile[] }> {
    if (req.ids.length === 0) return { results: [] };
    const users = await this.ds.getRepository(User).findBy({ id: In(req.ids) });
    return { results: users.map((u) => ({ id: u.id, name: fullName(u), email: u.email, is_active: u.isActive })) };
  }

  async get(req: UserRefRequest): Promise<UserView> {
    const principal = await this.callers.resolve(req.caller);
    return viewOfUser(this.ds.manager, await this.visibleUser(principal, req.id));
  }

  async update(req: UpdateUserRequest): Promise<UserView> {
    const principal = await this.callers.resolve(req.caller);
    const self = principal.user.id === req.id;
    if (!principal.isAdmin && !self) throw UsersException.userNotFound();
    const given = (f: string) => (req as unknown as Record<string, unknown>)[f] !== undefined;
    const forbidden = (principal.isAdmin ? PRIVILEGED_SELF_FIELDS : ADMIN_ONLY_FIELDS).filter(given);
    if (self && forbidden.length > 0) {
      throw UsersException.forbidden(`You cannot change your own ${forbidden.join(', ')}.`);
    }
    let passwordHash: string | undefined;
    if (req.password !== undefined) {
      const target = await this.visibleUser(principal, req.id);
      const weak = passwordWeaknesses(req.password, { email: req.email ?? target.email });
      if (weak.length > 0) throw DomainException.validation(weak, 'The password is too weak.');
      passwordHash = await this.hasher.hash(req.password);
    }
    try {
      return await this.ds.transaction(async (tx) => {
        const repo = tx.getRepository(User);
        const user = await repo.findOneBy({ id: req.id });
        if (!user) throw UsersException.userNotFound();
        const before = auditableFields(user);
        applyProfileFields(user, req);
        const role = requestedRole(req);
        if (role !== undefined) user.role = role;
        if (req.tier !== undefined) user.tierOverride = req.tier;
        if (req.is_active !== undefined) user.isActive = req.is_active;
        if (req.email !== undefined && normalizeEmail(req.email) !== user.email) {
          user.email = normalizeEmail(req.email);
          user.emailVerifiedAt = null; // the new address is not proven yet
        }
        await repo.update(
          { id: user.id },
          {
            firstName: user.firstName,
            lastName: user.lastName,
            username: user.username,
            metadata: user.metadata as never,
            role: user.role,
            tierOverride: user.tierOverride,
            isActive: user.isActive,
            email: user.email,
            emailVerifiedAt: user.emailVerifiedAt,
            ...(passwordHash ? { passwordHash } : {}),
          },
        );
        const changes = diff(before, auditableFields(user));
        const extra: Record<string, unknown> = {};
        const deactivated = before.is_active === true && user.isActive === false;
        if (deactivated || passwordHash) {
          const ended = await this.sessions.revokeForUser(tx, user.id, deactivated ? 'deactivated' : 'password_changed');
          extra.sessions_ended = ended.length;
          extra.session_ids = ended;
        }
        if (deactivated) extra.api_keys_revoked = await this.apiKeys.revokeAllForUser(tx, user.id, principal.actor);
        if (passwordHash) {
          extra.password_changed = true;
          await this.throttle.clear(tx, user.id);
        }
        if (Object.keys(changes.new).length > 0 || passwordHash) {
          await this.outbox.add(tx, { type: IdentityEventTypes.UserUpdated, data: { user_id: user.id, changes, ...extra }, actor: principal.actor });
        }
        return viewOfUser(tx, await repo.findOneByOrFail({ id: user.id }));
      });
    } catch (err) {
      throw this.conflictOr(err);
    }
  }

  async delete(req: UserRefRequest): Promise<{ deleted: true; id: string }> {
    const admin = await this.callers.requireAdmin(req.caller);
    if (admin.user.id === req.id) throw UsersException.forbidden('You cannot delete your own account.');
    await this.ds.transaction(async (tx) => {
      const user = await tx.getRepository(User).findOneBy({ id: req.id });
      if (!user) throw UsersException.userNotFound();
      // Sessions, tokens and API keys go with the row (ON DELETE CASCADE); projections here.
      await tx.getRepository(UserTenant).delete({ userId: user.id });
      await tx.getRepository(UserSubscription).delete({ userId: user.id });
      await tx.getRepository(User).delete({ id: user.id });
      await this.outbox.add(tx, { type: IdentityEventTypes.UserDeleted, data: { user_id: user.id, email: user.email }, actor: admin.actor });
    });
    return { deleted: true, id: req.id };
  }

  async tenants(req: UserListRequest, ownedOnly: boolean): Promise<ListResult<UserTenantView>> {
    const principal = await this.callers.resolve(req.caller);
    await this.visibleUser(principal, req.id);
    const qb = this.ds.getRepository(UserTenant).createQueryBuilder('t').where('t.user_id = :id', { id: req.id });
    if (ownedOnly) qb.andWhere(`t.role = 'owner'`);
    if (req.search) qb.andWhere('(t.tenant_name ILIKE :q OR t.tenant_domain ILIKE :q)', { q: containsPattern(req.search) });
    // Not `paginate`: it breaks ties on an `id` column, and this table's key is (user_id, tenant_id).
    const ordering = parseOrdering(req.ordering, ['created_at', 'name'], { created_at: 'DESC' });
    if (!ordering.ok) throw DomainException.validation([{ field: 'ordering', message: `cannot order by "${ordering.field}"; allowed: created_at, name` }]);
    for (const [field, dir] of Object.entries(ordering.order)) qb.addOrderBy(field === 'name' ? 't.tenantName' : 't.createdAt', dir);
    qb.addOrderBy('t.tenantId', 'ASC');
    const [results, count] = await qb.skip((req.page - 1) * req.page_size).take(req.page_size).getManyAndCount();
    const page = { count, results };
    return {
      count: page.count,
      results: page.results.map((t) => ({
        id: t.tenantId,
        name: t.tenantName,
        domain: t.tenantDomain,
        role: t.role,
        is_active: t.isActive,
        created_at: t.createdAt.toISOString(),
      })),
    };
  }

  async subscriptions(req: UserListRequest): Promise<ListResult<UserSubscriptionView>> {
    const principal = await this.callers.resolve(req.caller);
    await this.visibleUser(principal, req.id);
    // The user's own subscriptions and those of the tenants they own.
    const qb: SelectQueryBuilder<UserSubscription> = this.ds
      .getRepository(UserSubscription)
      .createQueryBuilder('s')
      .where(`(s.user_id = :id OR s.tenant_id IN (SELECT ut.tenant_id FROM user_tenants ut WHERE ut.user_id = :id AND ut.role = 'owner'))`, { id: req.id });
    if (req.search) qb.andWhere('(s.plan ILIKE :q OR s.status ILIKE :q)', { q: containsPattern(req.search) });
    const page = await paginate(qb, req, { orderable: { start_date: 'startDate', updated_at: 'updatedAt' }, defaultOrder: { updated_at: 'DESC' } });
    return {
      count: page.count,
      results: page.results.map((s) => ({
        id: s.id,
        tenant_id: s.tenantId,
        plan: s.plan,
        status: s.status,
        is_active: s.isActive,
        start_date: s.startDate?.toISOString() ?? null,
        end_date: s.endDate?.toISOString() ?? null,
      })),
    };
  }

  /** The user if the caller may see it (admin, or themselves); 404 otherwise. */
  private async visibleUser(principal: Principal, id: string): Promise<User> {
    if (!principal.isAdmin && principal.user.id !== id) throw UsersException.userNotFound();
    const user = await this.ds.getRepository(User).findOneBy({ id });
    if (!user) throw UsersException.userNotFound();
    return user;
  }

  private conflictOr(err: unknown): unknown {
    if (isUniqueViolation(err, 'users_email_lower_key')) return UsersException.conflict('email');
    if (isUniqueViolation(err, 'users_username_lower_key')) return UsersException.conflict('username');
    return err;
  }
}
