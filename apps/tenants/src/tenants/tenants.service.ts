import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In, Not, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import {
  callerUserId,
  EventTypes,
  findPlan,
  isAdmin,
  isServiceCaller,
  type CallerDto,
  type CreateTenantRequest,
  type ListResult,
  type ListTenantsRequest,
  type TenantPlansView,
  type TenantStatusView,
  type TenantView,
  type UpdateTenantRequest,
} from '@saas/contracts';
import { containsPattern, isUniqueViolation, paginateSql, SecretBox, tableOf } from '@saas/database';
import { EventOutbox } from '@saas/messaging';
import { SecureRandom, SERVICE_CONFIG } from '@saas/service-kit';
import { hasPasswordColumn, TenantAccess, UUID } from '../access/tenant-access.js';
import { DEFAULT_PLAN, type TenantsConfig } from '../config.js';
import { InvalidTenantTransition } from '../lifecycle/lifecycle.exception.js';
import { countsTowardsLimit } from '../lifecycle/tenant-state-machine.js';
import { TenantLifecycle } from '../lifecycle/tenant-lifecycle.js';
import { TenantTransition } from '../lifecycle/tenant-transition.entity.js';
import { TenantMember } from '../members/tenant-member.entity.js';
import { TenantOperation } from '../operations/tenant-operation.entity.js';
import { OperationsException } from '../operations/operations.exception.js';
import { TenantOperations } from '../operations/tenant-operations.js';
import { subdomainFromName, validateSubdomain } from './subdomain.js';
import { Tenant } from './tenant.entity.js';
import { TenantSecret } from './tenant-secret.entity.js';
import { TenantsException } from './tenants.exception.js';
import { toEventData, toTenantView } from './tenant.view.js';

const ORDERABLE = { created_at: 'createdAt', updated_at: 'updatedAt', name: 'name', slug: 'slug', status: 'status', plan: 'plan' };

@Injectable()
export class TenantsService {
  private readonly secrets: SecretBox;
  private readonly extraReserved: ReadonlySet<string>;

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly access: TenantAccess,
    private readonly lifecycle: TenantLifecycle,
    private readonly operations: TenantOperations,
    private readonly random: SecureRandom,
    @Inject(SERVICE_CONFIG) private readonly config: TenantsConfig,
  ) {
    this.secrets = new SecretBox(config.TENANTS_SECRET_KEYS.split(',').map((s) => s.trim()));
    this.extraReserved = new Set(config.RESERVED_SUBDOMAINS.split(',').map((s) => s.trim()).filter(Boolean));
  }

  view(t: Tenant, passwordSet: boolean): TenantView {
    return toTenantView(t, this.config.TENANT_URL_TEMPLATE, passwordSet);
  }

  /** POST tenants: writes the tenant (pending), its owner membership and tenant.created; provisioning takes it from there. */
  async create(req: CreateTenantRequest): Promise<TenantView> {
    return this.ds.transaction((tx) => this.createIn(tx, req));
  }

  /** `create` in the caller's transaction (an event handler's inbox transaction, say). */
  async createIn(tx: EntityManager, req: CreateTenantRequest): Promise<TenantView> {
    const ownerId = callerUserId(req.caller);
    if (!ownerId || req.caller.actor.type === 'service') throw TenantsException.onlyUsersCreate();
    if (req.subdomain && req.slug && req.subdomain !== req.slug) {
      throw TenantsException.invalidSubdomain('subdomain and slug are the same field; give one of them.');
    }
    const requested = req.subdomain ?? req.slug;
    const plan = req.plan ?? req.tier ?? DEFAULT_PLAN;
    if (!isAdmin(req.caller)) {
      // Serialise one owner's creations so the limit cannot be raced past (admins have none).
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tenants:owner:${ownerId}`]);
      await this.checkLimit(tx, ownerId, plan);
    }
    const slug = requested ? validateSubdomain(requested, this.extraReserved) : await this.freeSubdomain(tx, req.name);
    if (requested && (await tx.getRepository(Tenant).existsBy({ slug }))) throw TenantsException.subdomainTaken(slug);
    const repo = tx.getRepository(Tenant);
    const tenant = repo.create({
      name: req.name.trim(),
      slug,
      plan,
      databaseStrategy: req.database_strategy ?? 'dedicated',
      domain: req.domain?.toLowerCase() ?? null,
      contactEmail: req.contact_email ?? null,
      billingAddress: req.billing_address ?? null,
      settings: req.settings ?? {},
      metadata: req.metadata ?? {},
      customPluginRepo: req.custom_plugin_repo ?? null,
      adminEmail: req.admin_email ?? req.contact_email ?? null,
      ownerId,
      status: 'pending',
    });
    try {
      await repo.save(tenant);
    } catch (err) {
      if (isUniqueViolation(err, 'tenants_slug_key')) throw TenantsException.subdomainTaken(slug);
      throw err;
    }
    if (req.admin_password) await this.storePassword(tx, tenant.id, req.admin_password);
    await tx.getRepository(TenantMember).insert({ tenantId: tenant.id, userId: ownerId, role: 'owner', addedBy: ownerId });
    await tx.getRepository(TenantTransition).insert({ tenantId: tenant.id, fromStatus: null, toStatus: 'pending', actorId: ownerId });
    const op = await this.operations.request(tx, tenant, { kind: 'provision', requestedBy: ownerId, announce: false });
    await repo.update({ id: tenant.id }, { currentOperationId: op.id });
    await this.outbox.add(tx, { type: EventTypes.TenantCreated, tenantId: tenant.id, data: toEventData(tenant, op.id) });
    await this.outbox.add(tx, {
      type: EventTypes.TenantMemberAdded,
      tenantId: tenant.id,
      data: { tenant_id: tenant.id, user_id: ownerId, role: 'owner' },
    });
    const saved = await repo.findOneByOrFail({ id: tenant.id });
    return this.view(saved, !!req.admin_password);
  }

  async get(caller: CallerDto, id: string): Promise<TenantView> {
    const { tenant, hasPassword } = await this.access.authorizeRead(caller, id, 'member');
    return this.view(tenant, hasPassword);
  }

  async list(req: ListTenantsRequest, scope: 'mine' | 'all'): Promise<ListResult<TenantView>> {
    // Plain SQL (issue 9): the page with each tenant's has-password flag, and its count, in two
    // statements sent at once, where the query builder sent three or four one after the other.
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    // An admin's `GET tenants?owner_id=` (seed 004) lists that owner's tenants; anyone else sees only their own.
    const adminByOwner = isAdmin(req.caller) && req.owner_id !== undefined && !req.caller.tenant_id;
    if ((scope === 'mine' && !adminByOwner) || !isAdmin(req.caller)) {
      const userId = callerUserId(req.caller);
      where.push(UUID.test(userId ?? '') ? `EXISTS (SELECT 1 FROM ${tableOf(this.ds.manager, TenantMember)} m WHERE m.tenant_id = t.id AND m.user_id = ${param(userId)})` : 'false');
      if (req.caller.tenant_id) where.push(`t.id = ${param(req.caller.tenant_id)}`);
    }
    // Deleted tenants leave the owner's list (an admin still sees them with status=deleted).
    if (scope === 'mine' && !req.status) where.push(`t.status <> 'deleted'`);
    if (req.owner_id) where.push(`t.owner_id = ${param(req.owner_id)}`);
    if (req.status) where.push(`t.status = ${param(req.status)}`);
    if (req.is_active !== undefined) where.push(req.is_active ? `t.status = 'active'` : `t.status <> 'active'`);
    const plan = req.plan ?? req.tier;
    if (plan) where.push(`t.plan = ${param(plan)}`);
    if (req.date_from) where.push(`t.created_at >= ${param(parseDate(req.date_from, 'date_from'))}`);
    if (req.date_to) where.push(`t.created_at <= ${param(parseDate(req.date_to, 'date_to'))}`);
    if (req.search) {
      const term = param(containsPattern(req.search));
      where.push(`t.name ILIKE ${term} OR t.slug ILIKE ${term} OR t.domain ILIKE ${term}`);
    }
    const page = await paginateSql(this.ds.manager, { entity: Tenant, alias: 't', where, params, select: [hasPasswordColumn(this.ds.manager)] }, req, { orderable: ORDERABLE, defaultOrder: { created_at: 'DESC' } });
    return { count: page.count, results: page.results.map(({ entity, row }) => this.view(entity, row.has_password === true)) };
  }

  /**
   * PUT/PATCH tenants/{id}: descriptive fields change at once; a plan change (resources resized) or a
   * database_strategy change (data moved) becomes an operation with status, like provisioning.
   */
  async update(req: UpdateTenantRequest): Promise<TenantView> {
    return this.ds.transaction(async (tx) => {
      const grant = await this.access.authorize(tx, req.caller, req.id, 'admin', true);
      const { tenant } = grant;
      if (tenant.status === 'deleted' || tenant.status === 'deleting') {
        throw TenantsException.notChangeable(tenant.status);
      }
      // The columns that change, written with one UPDATE (not `save`, which reads the row again first).
      const values: QueryDeepPartialEntity<Tenant> = {};
      // `changes: { old, new }` with the changed fields only: the same shape as user.updated.
      const changes = { old: {} as Record<string, unknown>, new: {} as Record<string, unknown> };
      const record = (field: string, oldValue: unknown, newValue: unknown) => {
        changes.old[field] = oldValue;
        changes.new[field] = newValue;
      };
      const set = <K extends keyof Tenant>(key: K, field: string, value: Tenant[K] | undefined) => {
        if (value === undefined || JSON.stringify(tenant[key]) === JSON.stringify(value)) return;
        record(field, tenant[key], value);
        tenant[key] = value;
        (values as Record<string, unknown>)[key] = value;
      };
      set('name', 'name', req.name?.trim());
      set('domain', 'domain', req.domain === undefined ? undefined : (req.domain?.toLowerCase() ?? null));
      set('contactEmail', 'contact_email', req.contact_email);
      set('billingAddress', 'billing_address', req.billing_address);
      set('settings', 'settings', req.settings);
      set('metadata', 'metadata', req.metadata);
      set('customPluginRepo', 'custom_plugin_repo', req.custom_plugin_repo);
      set('adminEmail', 'admin_email', req.admin_email);
      if (req.admin_password) {
        await this.storePassword(tx, tenant.id, req.admin_password);
        record('admin_password', '[REDACTED]', '[REDACTED]');
      }
      const plan = req.plan ?? req.tier;
      const planChanged = plan !== undefined && plan !== tenant.plan;
      const strategyChanged = req.database_strategy !== undefined && req.database_strategy !== tenant.databaseStrategy;
      if ((planChanged || strategyChanged) && tenant.status !== 'active' && tenant.status !== 'stopped') {
        throw TenantsException.resizeNeedsRunningTenant(tenant.status);
      }
      if (planChanged) {
        // The plan is the subscription's (every limit follows it): only billing moves it here.
        if (!isServiceCaller(req.caller, 'billing')) throw TenantsException.planManagedByBilling();
        record('plan', tenant.plan, plan);
        await this.operations.request(tx, tenant, { kind: 'resize', requestedBy: callerUserId(req.caller), params: { from: tenant.plan, to: plan } });
        tenant.plan = plan!;
        values.plan = plan!;
      }
      if (strategyChanged) {
        if (planChanged) throw OperationsException.oneChangeAtATime();
        record('database_strategy', tenant.databaseStrategy, req.database_strategy);
        // The strategy column changes when the data has moved (provisioning.succeeded).
        await this.operations.request(tx, tenant, {
          kind: 'migrate_strategy',
          requestedBy: callerUserId(req.caller),
          params: { from: tenant.databaseStrategy, to: req.database_strategy },
        });
      }
      if (planChanged || strategyChanged) {
        // The operation requested above is now the tenant's current one.
        Object.assign(values, { currentOperationId: tenant.currentOperationId, progress: tenant.progress, currentStep: tenant.currentStep });
      }
      const hasPassword = grant.hasPassword || Boolean(req.admin_password);
      if (Object.keys(changes.new).length === 0) return this.view(tenant, hasPassword);
      if (Object.keys(values).length > 0) {
        const written = await tx.createQueryBuilder().update(Tenant).set(values).where({ id: tenant.id }).returning(['updatedAt', 'version']).updateEntity(false).execute();
        const [row] = written.raw as Array<{ updated_at: Date; version: number }>;
        if (row) Object.assign(tenant, { updatedAt: row.updated_at, version: row.version });
      }
      await this.outbox.add(tx, {
        type: EventTypes.TenantUpdated,
        tenantId: tenant.id,
        data: { ...toEventData(tenant, tenant.currentOperationId ?? undefined), changes },
      });
      return this.view(tenant, hasPassword);
    });
  }

  /** DELETE tenants/{id}: 202, the tenant goes to deleting and the saga deprovisions it. */
  async delete(caller: CallerDto, id: string): Promise<TenantView> {
    return this.ds.transaction(async (tx) => {
      const { tenant } = await this.access.authorize(tx, caller, id, 'owner', true);
      if (tenant.status === 'deleting' || tenant.status === 'deleted') return this.view(tenant, false);
      // Checked before the operation is requested: it would supersede the restore's stop/start.
      if (tenant.status === 'restoring') throw new InvalidTenantTransition('restoring', 'deleting', 'A restore of this tenant is running; it can be deleted once the restore has finished.');
      const op = await this.operations.request(tx, tenant, { kind: 'delete', requestedBy: callerUserId(caller), supersede: true });
      await this.lifecycle.transition(tx, tenant, 'deleting', { operationId: op.id, actorId: callerUserId(caller) });
      return this.view(tenant, false);
    });
  }

  async status(caller: CallerDto, id: string): Promise<TenantStatusView> {
    const { tenant } = await this.access.authorize(this.ds.manager, caller, id, 'member');
    const op = tenant.currentOperationId ? await this.ds.getRepository(TenantOperation).findOneBy({ id: tenant.currentOperationId }) : null;
    const history = await this.ds.getRepository(TenantTransition).find({ where: { tenantId: id }, order: { occurredAt: 'ASC' }, take: 100 });
    const running = op && (op.status === 'pending' || op.status === 'running');
    return {
      id: tenant.id,
      name: tenant.name,
      slug: tenant.slug,
      created_at: tenant.createdAt.toISOString(),
      status: tenant.status,
      is_active: tenant.status === 'active',
      service_ids: tenant.serviceIds ?? {},
      render_service_ids: tenant.serviceIds ?? {},
      progress: running ? op.progress : tenant.status === 'active' ? 100 : (op?.progress ?? tenant.progress),
      step: op?.step ?? tenant.currentStep,
      error: tenant.status === 'error' ? (tenant.statusReason ?? op?.error ?? null) : (op?.status === 'failed' ? op.error : null),
      error_code: tenant.status === 'error' || op?.status === 'failed' ? (op?.errorCode ?? null) : null,
      operation: op
        ? { id: op.id, kind: op.kind, status: op.status, started_at: op.createdAt.toISOString(), finished_at: op.finishedAt?.toISOString() ?? null }
        : null,
      history: history.map((h) => ({ from: h.fromStatus, to: h.toStatus, reason: h.reason, at: h.occurredAt.toISOString(), actor_id: h.actorId })),
    };
  }

  /** `rpc.tenants.plans`: the plan of each live tenant among `ids` (deleted and unknown ones are left out). */
  async plans(ids: string[]): Promise<TenantPlansView> {
    if (ids.length === 0) return { plans: {} };
    const rows = await this.ds.getRepository(Tenant).find({ where: { id: In(ids), status: Not('deleted') }, select: { id: true, plan: true } });
    return { plans: Object.fromEntries(rows.map((t) => [t.id, t.plan])) };
  }

  /** The instance admin password, for the provisioning service only (internal RPC). */
  async credentials(tenantId: string): Promise<{ admin_email: string | null; admin_password: string | null }> {
    const tenant = await this.ds.getRepository(Tenant).findOneBy({ id: tenantId });
    if (!tenant) throw TenantsException.tenantNotFound();
    const secret = await this.ds.getRepository(TenantSecret).findOneBy({ tenantId });
    return { admin_email: tenant.adminEmail, admin_password: secret ? this.secrets.open(secret.adminPassword) : null };
  }

  private async storePassword(tx: EntityManager, tenantId: string, password: string): Promise<void> {
    await tx.getRepository(TenantSecret).upsert({ tenantId, adminPassword: this.secrets.seal(password) }, ['tenantId']);
  }

  /**
   * Tenants per owner come from the plans (the catalogue's `tenants_per_owner`): the most generous
   * plan among the owner's tenants and the one being created — billing keeps each tenant's plan in
   * step with its subscription. Nothing the owner's rate-limit tier says raises it: the plans decide.
   */
  private async checkLimit(tx: EntityManager, ownerId: string, requestedPlan: string): Promise<void> {
    const owned = (await tx.getRepository(Tenant).find({ where: { ownerId }, select: { id: true, status: true, plan: true } })).filter((t) => countsTowardsLimit(t.status));
    const granting = [requestedPlan, ...owned.map((t) => t.plan)]
      .map((code) => findPlan(code))
      .filter((p) => p !== undefined)
      .sort((a, b) => b.limits.tenants_per_owner - a.limits.tenants_per_owner)[0];
    const limit = granting?.limits.tenants_per_owner ?? 0;
    if (owned.length >= limit) throw TenantsException.limitExceeded(limit, granting?.code ?? requestedPlan);
  }

  private async freeSubdomain(tx: EntityManager, name: string): Promise<string> {
    const base = subdomainFromName(name);
    const candidates = [base, ...Array.from({ length: 20 }, (_, i) => `${base}-${i + 2}`)];
    const reserved = (s: string) => {
      try {
        validateSubdomain(s, this.extraReserved);
        return false;
      } catch {
        return true;
      }
    };
    const taken = new Set(
      (await tx.getRepository(Tenant).find({ where: { slug: In(candidates) }, select: { slug: true } })).map((t) => t.slug),
    );
    const free = candidates.find((c) => !taken.has(c) && !reserved(c));
    if (free) return free;
    return `${base.slice(0, 40)}-${this.random.alphanumeric(6)}`;
  }
}

function parseDate(value: string, field: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw TenantsException.invalidDate(field);
  return d;
}
