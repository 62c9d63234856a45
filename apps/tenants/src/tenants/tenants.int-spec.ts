import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { EventTypes, TenantsRpc, type CallerDto, type TenantStatusView, type TenantView } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { adminCaller, publishEvent, readEvents, rejection, serviceCaller, TestEnv, userCaller, waitFor } from '@saas/testing';
import { AppModule } from '../app.module.js';
import { tenantsConfigSchema } from '../config.js';
import { tenantsEntities } from '../entities.js';
import { tenantsMigrations } from '../migrations/index.js';
import { TenantAccess } from '../access/tenant-access.js';
import { Tenant } from './tenant.entity.js';

const user = (id?: string, tier = 'standard'): CallerDto => userCaller({ id, tier });
const admin = adminCaller();

describe('tenants service (real Postgres + NATS)', () => {
  let env: TestEnv;
  let svc: RunningService;
  let rpc: RpcClient;

  beforeAll(async () => {
    env = await TestEnv.create('tenants');
    svc = await bootstrapService({
      service: 'tenants',
      module: AppModule,
      entities: tenantsEntities,
      migrations: tenantsMigrations,
      configSchema: tenantsConfigSchema,
      env: env.env({}),
    });
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 5_000);
  });

  afterAll(async () => {
    await svc?.shutdown();
    await env?.cleanup();
  });

  const reportProvisioning = async (tenant: TenantView, operationId: string, kind: string, outcome: 'succeeded' | 'failed', reason?: string, serviceIds?: Record<string, string>) => {
    const nc = await env.nats();
    await publishEvent(nc, env.prefix, { type: EventTypes.ProvisioningStep, tenantId: tenant.id, data: { tenant_id: tenant.id, operation_id: operationId, kind, step: 'database', progress: 40 } });
    await publishEvent(nc, env.prefix, {
      type: outcome === 'succeeded' ? EventTypes.ProvisioningSucceeded : EventTypes.ProvisioningFailed,
      tenantId: tenant.id,
      data: { tenant_id: tenant.id, operation_id: operationId, kind, ...(reason ? { reason, retryable: true } : {}), ...(serviceIds ? { service_ids: serviceIds } : {}) },
    });
  };
  const status = (caller: CallerDto, id: string) => rpc.call(TenantsRpc.status, { caller, id });

  it('creates a tenant as pending, emits tenant.created, and follows the saga to active with tenant.ready', async () => {
    const owner = user();
    const t = await rpc.call(TenantsRpc.create, { caller: owner, name: 'Acme Corporation', admin_password: 'a-long-admin-secret' });
    expect(t).toMatchObject({ name: 'Acme Corporation', slug: 'acme-corporation', status: 'pending', owner_id: owner.actor.id, plan: 'standard', database_strategy: 'dedicated', admin_password_set: true });
    expect(JSON.stringify(t)).not.toContain('a-long-admin-secret');

    const created = await waitFor(async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.TenantCreated])).find((e) => e.tenant_id === t.id), 'tenant.created');
    expect(created.data).toMatchObject({ tenant_id: t.id, slug: 'acme-corporation', status: 'pending' });
    expect(created.actor).toMatchObject({ type: 'user', id: owner.actor.id });
    expect(JSON.stringify(created)).not.toContain('a-long-admin-secret');
    const opId = created.data.operation_id as string;

    expect(t.service_ids).toEqual({});
    await reportProvisioning(t, opId, 'provision', 'succeeded', undefined, { web_service: 'local/acme-corporation', database: 'tenant_acme_corporation' });
    const s = await waitFor(async () => {
      const st = await status(owner, t.id);
      return st.status === 'active' ? st : null;
    }, 'tenant active');
    expect(s.progress).toBe(100);
    expect(s.history.map((h) => h.to)).toEqual(['pending', 'provisioning', 'active']);
    // Where the runtime put it (seed 003's render_service_ids), in the status and the tenant.
    expect(s.service_ids).toEqual({ web_service: 'local/acme-corporation', database: 'tenant_acme_corporation' });
    expect(await rpc.call(TenantsRpc.get, { caller: owner, id: t.id })).toMatchObject({ service_ids: s.service_ids, render_service_ids: s.service_ids });
    const ready = await waitFor(async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.TenantReady])).find((e) => e.tenant_id === t.id), 'tenant.ready');
    expect(ready.data).toMatchObject({ tenant_id: t.id, status: 'active', access_url: 'http://acme-corporation.localhost:3000' });

    // The provisioning service (only) can read the instance admin password.
    const asProvisioning = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 5_000, 'provisioning');
    expect(await asProvisioning.call(TenantsRpc.internalCredentials, { tenant_id: t.id })).toMatchObject({ admin_password: 'a-long-admin-secret' });
  });

  it('the billing step: a failed first payment holds the tenant in error (BILLING_ERROR); its success provisions it again (or, already provisioned, makes it active)', async () => {
    const nc = await env.nats();
    const payment = (tenantId: string, type: string, extra: Record<string, unknown> = {}) =>
      publishEvent(nc, env.prefix, {
        type,
        tenantId,
        data: { payment_id: randomUUID(), invoice_id: randomUUID(), tenant_id: tenantId, amount: 2_900, currency: 'USD', provider: 'sandbox', first_payment: true, ...extra },
      });
    const opOf = async (t: TenantView) =>
      (await waitFor(async () => (await readEvents(nc, env.prefix, [EventTypes.TenantCreated])).find((e) => e.tenant_id === t.id), 'tenant.created')).data.operation_id as string;
    const until = (caller: CallerDto, id: string, check: (s: TenantStatusView) => boolean, what: string) =>
      waitFor(async () => {
        const st = await status(caller, id);
        return check(st) ? st : null;
      }, what);

    // The decline arrives while provisioning runs: error with the code and reason; provisioning's late success is ignored.
    const owner = user(randomUUID(), 'premium');
    const t = await rpc.call(TenantsRpc.create, { caller: owner, name: 'Unpaid Co' });
    const firstOp = await opOf(t);
    await payment(t.id, EventTypes.PaymentFailed, { reason: 'Your card was declined.', decline_code: 'card_declined', retryable: true, error_code: 'BILLING_ERROR' });
    const held = await until(owner, t.id, (st) => st.status === 'error', 'held in error');
    expect(held).toMatchObject({ error: 'Your card was declined.', error_code: 'BILLING_ERROR', operation: { id: firstOp, status: 'failed' } });
    await reportProvisioning(t, firstOp, 'provision', 'succeeded');
    // A renewal's decline (no first_payment) is dunning's business, not the saga's.
    await payment(t.id, EventTypes.PaymentFailed, { first_payment: undefined, reason: 'later renewal', retryable: true });
    await payment(t.id, EventTypes.PaymentFailed, { reason: 'Your card has insufficient funds.', decline_code: 'insufficient_funds', retryable: true });
    expect(await until(owner, t.id, (st) => st.error === 'Your card has insufficient funds.', 'the latest decline')).toMatchObject({ status: 'error', error_code: 'BILLING_ERROR' });
    // Paid: a new provisioning is requested; its report makes the tenant active.
    await payment(t.id, EventTypes.PaymentSucceeded, { paid_at: new Date().toISOString() });
    const retried = await until(owner, t.id, (st) => st.operation?.id !== firstOp, 'a new provisioning');
    expect(retried.operation).toMatchObject({ kind: 'provision', status: 'pending' });
    const requested = await waitFor(async () => (await readEvents(nc, env.prefix, [EventTypes.TenantOperationRequested])).find((e) => e.tenant_id === t.id), 'tenant.operation_requested');
    expect(requested.data).toMatchObject({ operation: 'provision', operation_id: retried.operation!.id, reason: 'first payment received' });
    await reportProvisioning(t, retried.operation!.id, 'provision', 'succeeded');
    expect(await until(owner, t.id, (st) => st.status === 'active', 'active after payment')).toMatchObject({ error: null, error_code: null });

    // Provisioned before the decline arrived: error, then straight back to active once paid.
    const early = await rpc.call(TenantsRpc.create, { caller: owner, name: 'Early Co' });
    const earlyOp = await opOf(early);
    await reportProvisioning(early, earlyOp, 'provision', 'succeeded');
    await until(owner, early.id, (st) => st.status === 'active', 'early active');
    await payment(early.id, EventTypes.PaymentFailed, { reason: 'The tenant has no payment method.', retryable: true });
    expect(await until(owner, early.id, (st) => st.status === 'error', 'early held')).toMatchObject({ error_code: 'BILLING_ERROR', error: 'The tenant has no payment method.' });
    await payment(early.id, EventTypes.PaymentSucceeded, {});
    const back = await until(owner, early.id, (st) => st.status === 'active', 'early active again');
    expect(back).toMatchObject({ error: null, error_code: null, operation: { id: earlyOp } });
    expect(back.history.map((h) => h.to)).toEqual(['pending', 'provisioning', 'active', 'error', 'active']);
  });

  it("answers seed 003/004 clients: GET tenants?owner_id= for admins, is_active as a filter, name/slug/created_at in the status", async () => {
    const owner = user(randomUUID(), 'premium');
    const other = user(randomUUID(), 'premium');
    const mine = await rpc.call(TenantsRpc.create, { caller: owner, name: 'Seed Owner Co' });
    const theirs = await rpc.call(TenantsRpc.create, { caller: other, name: 'Seed Other Co' });
    const opOf = async (t: TenantView) =>
      (await waitFor(async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.TenantCreated])).find((e) => e.tenant_id === t.id), 'tenant.created')).data.operation_id as string;
    await reportProvisioning(mine, await opOf(mine), 'provision', 'succeeded');
    await waitFor(async () => (await status(owner, mine.id)).status === 'active', 'tenant active');

    const ids = (r: unknown) => (r as { results: TenantView[] }).results.map((t) => t.id).sort();
    // An admin's owner_id filter on GET tenants (it used to be ignored: the admin saw only their own).
    expect(ids(await rpc.call(TenantsRpc.list, { caller: admin, owner_id: owner.actor.id! }))).toEqual([mine.id]);
    expect(ids(await rpc.call(TenantsRpc.adminList, { caller: admin, owner_id: other.actor.id! }))).toEqual([theirs.id]);
    // Anyone else asking for another owner's tenants gets nothing of theirs.
    expect(ids(await rpc.call(TenantsRpc.list, { caller: owner, owner_id: other.actor.id! }))).toEqual([]);
    // is_active (a query string: "true"/"false") filters on the active status.
    expect(ids(await rpc.callRaw(TenantsRpc.list, { caller: owner, is_active: 'true' }))).toEqual([mine.id]);
    expect(ids(await rpc.callRaw(TenantsRpc.list, { caller: other, is_active: 'false' }))).toEqual([theirs.id]);
    expect(ids(await rpc.callRaw(TenantsRpc.list, { caller: other, is_active: 'true' }))).toEqual([]);
    expect((await rejection(rpc.callRaw(TenantsRpc.list, { caller: owner, is_active: 'maybe' }))).code).toBe('VALIDATION_FAILED');

    expect(await status(owner, mine.id)).toMatchObject({ id: mine.id, name: 'Seed Owner Co', slug: mine.slug, created_at: mine.created_at, status: 'active', is_active: true });
    // Another service reading a tenant as the platform (billing does): its id is no user's uuid.
    const service = serviceCaller('billing');
    expect(await rpc.call(TenantsRpc.get, { caller: service, id: mine.id })).toMatchObject({ id: mine.id, owner_id: mine.owner_id });
  });

  it("refuses internal subjects to the gateway and to every service InternalRpcCallers does not name (the instance admin password never reaches the public edge)", async () => {
    const owner = user();
    const t = await rpc.call(TenantsRpc.create, { caller: owner, name: 'Internal Co', admin_password: 'a-long-admin-secret' });
    const asGateway = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 5_000, 'gateway');
    const asProvisioning = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 5_000, 'provisioning');
    const refused = await rejection(asGateway.call(TenantsRpc.internalCredentials, { tenant_id: t.id }));
    expect({ code: refused.code, status: refused.status }).toEqual({ code: 'FORBIDDEN', status: 403 });
    await expect(asProvisioning.call(TenantsRpc.internalCredentials, { tenant_id: t.id })).resolves.toMatchObject({ admin_password: 'a-long-admin-secret' });
    // Only the services InternalRpcCallers names: not another service, not a caller that does not say who it is.
    for (const other of [new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 5_000, 'billing'), rpc]) {
      expect((await rejection(other.call(TenantsRpc.internalCredentials, { tenant_id: t.id }))).code).toBe('FORBIDDEN');
    }
    // Public subjects answer the gateway as before.
    await expect(asGateway.call(TenantsRpc.get, { caller: owner, id: t.id })).resolves.toMatchObject({ id: t.id });
  });

  it('reads a tenant on the hot path (plain SQL) as the entity the ORM reads, with the same answers for members, strangers and admins', async () => {
    const owner = user();
    const t = await rpc.call(TenantsRpc.create, { caller: owner, name: 'Hot Read Co', domain: 'hot.example.com', metadata: { a: 1 }, admin_password: 'a-long-admin-secret' });
    const access = new TenantAccess(svc.dataSource);
    const manager = svc.dataSource.manager;
    const read = await access.authorizeRead(owner, t.id, 'member');
    const orm = await manager.getRepository(Tenant).findOneByOrFail({ id: t.id });
    expect(read.tenant).toBeInstanceOf(Tenant);
    expect(read.tenant).toEqual(orm);
    expect(read.tenant.createdAt).toBeInstanceOf(Date);
    expect({ role: read.role, hasPassword: read.hasPassword }).toEqual({ role: 'owner', hasPassword: true });
    expect((await access.authorizeRead(admin, t.id, 'owner')).role).toBe('platform_admin');
    expect((await rejection(access.authorizeRead(user(), t.id, 'member'))).code).toBe('TENANT_NOT_FOUND');
    expect((await rejection(access.authorizeRead(owner, randomUUID(), 'member'))).code).toBe('TENANT_NOT_FOUND');
  });

  it('renames a tenant in one transaction of five statements: lock and read, update, event, no re-reads', async () => {
    const owner = user();
    const t = await rpc.call(TenantsRpc.create, { caller: owner, name: 'Rename Me', admin_password: 'a-long-admin-secret' });
    // Every statement of this process by connection: the rename's transaction is one connection's run from BEGIN to COMMIT.
    const byConnection = new Map<object, string[]>();
    const query = pg.Client.prototype.query;
    const spy = jest.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: object, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
      if (text) byConnection.set(this, [...(byConnection.get(this) ?? []), text.replace(/\s+/g, ' ').trim()]);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as never);
    let renamed: TenantView | undefined;
    try {
      renamed = await rpc.call(TenantsRpc.update, { caller: owner, id: t.id, name: 'Renamed' });
    } finally {
      spy.mockRestore();
    }
    const run = [...byConnection.values()]
      .map((texts) => texts.slice(texts.findIndex((q) => q === 'START TRANSACTION')))
      .find((texts) => texts.some((q) => q.startsWith('UPDATE') && q.includes('"tenants"')))!;
    const transaction = run.slice(0, run.indexOf('COMMIT') + 1);
    expect(transaction.map((q) => q.split(' ').slice(0, 2).join(' '))).toEqual(['START TRANSACTION', 'SELECT t.*,', 'UPDATE "tenants"."tenants"', 'WITH written', 'COMMIT']);
    expect(transaction[1]).toContain('FOR UPDATE OF t');
    // The answer and the row agree, version and updated_at included.
    const row = await svc.dataSource.getRepository(Tenant).findOneByOrFail({ id: t.id });
    expect(row.name).toBe('Renamed');
    expect({ name: renamed!.name, updated_at: renamed!.updated_at, admin_password_set: renamed!.admin_password_set }).toEqual({ name: 'Renamed', updated_at: row.updatedAt.toISOString(), admin_password_set: true });
    expect(new Date(renamed!.updated_at).getTime()).toBeGreaterThan(new Date(t.updated_at).getTime());
    const event = await waitFor(async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.TenantUpdated])).find((e) => e.tenant_id === t.id), 'tenant.updated');
    expect(event.data).toMatchObject({ name: 'Renamed', changes: { old: { name: 'Rename Me' }, new: { name: 'Renamed' } } });
  });

  it('answers reads that arrive together with one statement, each its own answer', async () => {
    const [a, b] = [user(), user()];
    const ta = await rpc.call(TenantsRpc.create, { caller: a, name: 'Batch A' });
    const tb = await rpc.call(TenantsRpc.create, { caller: b, name: 'Batch B', admin_password: 'a-long-admin-secret' });
    const access = new TenantAccess(svc.dataSource);
    const statements: string[] = [];
    const query = svc.dataSource.manager.query.bind(svc.dataSource.manager);
    const spy = jest.spyOn(svc.dataSource.manager, 'query').mockImplementation((...args: Parameters<typeof query>) => {
      statements.push(args[0]);
      return query(...args);
    });
    try {
      const read = (caller: CallerDto, id: string, role: 'member' | 'owner') =>
        access.authorizeRead(caller, id, role).then(
          (g) => ({ id: g.tenant.id, role: g.role, hasPassword: g.hasPassword }),
          (err: { code: string }) => err.code,
        );
      const answers = await Promise.all([
        read(a, ta.id, 'member'),
        read(b, tb.id, 'owner'),
        read(a, tb.id, 'member'), // someone else's tenant
        read(a, ta.id, 'owner'),
        read(admin, tb.id, 'owner'),
        read(b, randomUUID(), 'member'),
        read(b, 'not-a-uuid', 'member'), // refused before the batch, not failing it
        access.check(a, ta.id, 'owner'),
      ]);
      expect(statements).toHaveLength(1);
      expect(answers).toEqual([
        { id: ta.id, role: 'owner', hasPassword: false },
        { id: tb.id, role: 'owner', hasPassword: true },
        'TENANT_NOT_FOUND',
        { id: ta.id, role: 'owner', hasPassword: false },
        { id: tb.id, role: 'platform_admin', hasPassword: true },
        'TENANT_NOT_FOUND',
        'TENANT_NOT_FOUND',
        { tenant_id: ta.id, slug: ta.slug, status: ta.status, role: 'owner' },
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses bad, reserved and taken subdomains with INVALID_SUBDOMAIN and unknown fields with VALIDATION_FAILED', async () => {
    const owner = user();
    for (const subdomain of ['www', 'Bad_Name', 'ab']) {
      const err = await rejection(rpc.call(TenantsRpc.create, { caller: owner, name: 'X corp', subdomain }));
      expect([err.status, err.code]).toEqual([400, 'INVALID_SUBDOMAIN']);
    }
    await rpc.call(TenantsRpc.create, { caller: owner, name: 'Taken', subdomain: 'taken-one' });
    const taken = await rejection(rpc.call(TenantsRpc.create, { caller: user(), name: 'Other', subdomain: 'taken-one' }));
    expect([taken.status, taken.code]).toEqual([400, 'INVALID_SUBDOMAIN']);
    const massAssign = await rejection(rpc.callRaw(TenantsRpc.create, { caller: owner, name: 'Sneaky', status: 'active', owner_id: randomUUID() }));
    expect([massAssign.status, massAssign.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('enforces the per-plan tenant limit per owner: the plans of the owner’s tenants grant it (tenants_per_owner), whatever the owner’s tier', async () => {
    // The free plan grants 1; an enterprise rate-limit tier on the caller raises nothing (no floor under the plans).
    const owner = user(randomUUID(), 'enterprise');
    await rpc.call(TenantsRpc.create, { caller: owner, name: 'One', plan: 'free' });
    const err = await rejection(rpc.call(TenantsRpc.create, { caller: owner, name: 'Two', plan: 'free' }));
    expect([err.status, err.code, err.extensions]).toEqual([400, 'TENANT_LIMIT_EXCEEDED', { limit: 1, tier: 'free' }]);

    // The standard plan grants 3 tenants per owner, whatever the owner's tier.
    const planned = user();
    for (const name of ['Std One', 'Std Two', 'Std Three']) await rpc.call(TenantsRpc.create, { caller: planned, name, plan: 'standard' });
    const full = await rejection(rpc.call(TenantsRpc.create, { caller: planned, name: 'Std Four', plan: 'standard' }));
    expect([full.status, full.code, (full.extensions as { limit: number; tier: string }).limit, (full.extensions as { tier: string }).tier]).toEqual([400, 'TENANT_LIMIT_EXCEEDED', 3, 'standard']);
    // A premium tenant (10 per owner) is within its own plan's limit, and from then on lifts the owner's.
    await expect(rpc.call(TenantsRpc.create, { caller: planned, name: 'Prem One', plan: 'premium' })).resolves.toMatchObject({ status: 'pending', plan: 'premium' });
    await expect(rpc.call(TenantsRpc.create, { caller: planned, name: 'Std Four', plan: 'standard' })).resolves.toMatchObject({ status: 'pending' });
  });

  it("answers 404 for someone else's tenant and 403 for a member without the role", async () => {
    const owner = user();
    const stranger = user();
    const member = user();
    const t = await rpc.call(TenantsRpc.create, { caller: owner, name: 'Private Co' });
    for (const [subject, body] of [
      [TenantsRpc.get, { id: t.id }],
      [TenantsRpc.status, { id: t.id }],
      [TenantsRpc.update, { id: t.id, name: 'Hijacked' }],
      [TenantsRpc.delete, { id: t.id }],
      [TenantsRpc.membersList, { id: t.id }],
      [TenantsRpc.instanceAction, { id: t.id, action: 'stop' }],
    ] as const) {
      const err = await rejection(rpc.call(subject, { caller: stranger, ...body }));
      expect([subject, err.status, err.code]).toEqual([subject, 404, 'TENANT_NOT_FOUND']);
    }
    await rpc.call(TenantsRpc.membersAdd, { caller: owner, id: t.id, user_id: member.actor.id!, role: 'member' });
    await expect(rpc.call(TenantsRpc.get, { caller: member, id: t.id })).resolves.toMatchObject({ id: t.id });
    const forbidden = await rejection(rpc.call(TenantsRpc.delete, { caller: member, id: t.id }));
    expect([forbidden.status, forbidden.code]).toEqual([403, 'FORBIDDEN']);
    // A platform admin sees it; the stranger's list does not contain it.
    await expect(rpc.call(TenantsRpc.get, { caller: admin, id: t.id })).resolves.toMatchObject({ id: t.id });
    const list = await rpc.call(TenantsRpc.list, { caller: stranger });
    expect(list.results.map((x) => x.id)).not.toContain(t.id);
  });

  it('refuses illegal transitions, records failures with the reason, retries, stops, starts and deletes', async () => {
    const owner = user(randomUUID(), 'premium');
    const t = await rpc.call(TenantsRpc.create, { caller: owner, name: 'Lifecycle Ltd' });
    const tenantCreated = await waitFor(async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.TenantCreated])).find((e) => e.tenant_id === t.id), 'created');

    // Stopping a tenant that is not active yet is refused, not applied.
    const early = await rejection(rpc.call(TenantsRpc.instanceAction, { caller: owner, id: t.id, action: 'stop' }));
    expect([early.status, early.code]).toEqual([409, 'INVALID_TENANT_STATE']);

    await reportProvisioning(t, tenantCreated.data.operation_id as string, 'provision', 'failed', 'database step failed: disk full');
    const failed = await waitFor(async () => ((await status(owner, t.id)).status === 'error' ? status(owner, t.id) : null), 'error');
    expect(failed.error).toBe('database step failed: disk full');

    const retry = await rpc.call(TenantsRpc.adminAction, { caller: admin, id: t.id, action: 'retry', reason: 'disk freed' });
    expect(retry.operation.kind).toBe('provision');
    await reportProvisioning(t, retry.operation.id, 'provision', 'succeeded');
    await waitFor(async () => (await status(owner, t.id)).status === 'active', 'active after retry');

    const stop = await rpc.call(TenantsRpc.instanceAction, { caller: owner, id: t.id, action: 'stop' });
    const busy = await rejection(rpc.call(TenantsRpc.instanceAction, { caller: owner, id: t.id, action: 'restart' }));
    expect([busy.status, busy.code]).toEqual([409, 'OPERATION_IN_PROGRESS']);
    await reportProvisioning(t, stop.operation.id, 'stop', 'succeeded');
    await waitFor(async () => (await status(owner, t.id)).status === 'stopped', 'stopped');

    const start = await rpc.call(TenantsRpc.instanceAction, { caller: owner, id: t.id, action: 'start' });
    await reportProvisioning(t, start.operation.id, 'start', 'succeeded');
    await waitFor(async () => (await status(owner, t.id)).status === 'active', 'active again');

    const deleting = await rpc.call(TenantsRpc.delete, { caller: owner, id: t.id });
    expect(deleting.status).toBe('deleting');
    const deletion = await waitFor(async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.TenantDeletionRequested])).find((e) => e.tenant_id === t.id), 'deletion requested');
    await reportProvisioning(t, deletion.data.operation_id as string, 'delete', 'succeeded');
    const gone = await waitFor(async () => ((await status(owner, t.id)).status === 'deleted' ? status(owner, t.id) : null), 'deleted');
    expect(gone.history.map((h) => h.to)).toEqual(['pending', 'provisioning', 'error', 'provisioning', 'active', 'stopped', 'active', 'deleting', 'deleted']);
    const deletedEvents = await readEvents(await env.nats(), env.prefix, [EventTypes.TenantDeleted]);
    expect(deletedEvents.filter((e) => e.tenant_id === t.id)).toHaveLength(1);
    // A stale report of an old, finished operation changes nothing.
    await reportProvisioning(t, stop.operation.id, 'stop', 'succeeded');
    await new Promise((r) => setTimeout(r, 500));
    expect((await status(owner, t.id)).status).toBe('deleted');
  });
  it('is restoring while a restore runs (no deletion or instance action meanwhile), and comes back when it ends, rolled back or not', async () => {
    const owner = user(randomUUID(), 'premium');
    const t = await rpc.call(TenantsRpc.create, { caller: owner, name: 'Restore Works' });
    const created = await waitFor(async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.TenantCreated])).find((e) => e.tenant_id === t.id), 'created');
    await reportProvisioning(t, created.data.operation_id as string, 'provision', 'succeeded');
    await waitFor(async () => (await status(owner, t.id)).status === 'active', 'active');

    const nc = await env.nats();
    const restore = (type: string, restoreId: string, extra: Record<string, unknown> = {}) =>
      publishEvent(nc, env.prefix, { type, tenantId: t.id, data: { restore_id: restoreId, backup_id: backupId, tenant_id: t.id, status: type === EventTypes.RestoreStarted ? 'running' : type === EventTypes.RestoreCompleted ? 'completed' : 'failed', ...extra } });
    const becomes = async (to: string) => waitFor(async () => ((await status(owner, t.id)).status === to ? status(owner, t.id) : null), to);
    const backupId = randomUUID();
    const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];

    await restore(EventTypes.RestoreStarted, first);
    expect((await becomes('restoring')).is_active).toBe(false);
    const refusedDelete = await rejection(rpc.call(TenantsRpc.delete, { caller: owner, id: t.id }));
    expect([refusedDelete.status, refusedDelete.code, refusedDelete.message]).toEqual([409, 'INVALID_TENANT_STATE', 'A restore of this tenant is running; it can be deleted once the restore has finished.']);
    const refusedStop = await rejection(rpc.call(TenantsRpc.instanceAction, { caller: owner, id: t.id, action: 'stop' }));
    expect([refusedStop.status, refusedStop.code]).toEqual([409, 'INVALID_TENANT_STATE']);

    // The backups service rolled back (a failed step, or its process died and the sweep rolled back).
    await restore(EventTypes.RestoreFailed, first, { rolled_back: true, step: 'restoring database', reason: 'interrupted' });
    await becomes('active');
    // A late copy of the first restore's start (a new event id, so not the inbox's duplicate) changes nothing.
    await restore(EventTypes.RestoreStarted, first);
    await restore(EventTypes.RestoreStarted, second);
    await becomes('restoring');
    await restore(EventTypes.RestoreCompleted, second, { duration_ms: 1200 });
    await becomes('active');

    await restore(EventTypes.RestoreStarted, third);
    await becomes('restoring');
    await restore(EventTypes.RestoreFailed, third, { rolled_back: false, step: 'swapping database', reason: 'rename failed' });
    const broken = await becomes('error');
    expect(broken.history.map((h) => h.to)).toEqual(['pending', 'provisioning', 'active', 'restoring', 'active', 'restoring', 'active', 'restoring', 'error']);
    expect(broken.error).toBe(`restore ${third} failed, not rolled back: rename failed`);
    // Out of `restoring`, deletion is possible again.
    expect((await rpc.call(TenantsRpc.delete, { caller: owner, id: t.id })).status).toBe('deleting');
  });
  it('shows the last completed and the next scheduled backup, from the backups service’s events', async () => {
    const owner = user(randomUUID(), 'premium');
    const t = await rpc.call(TenantsRpc.create, { caller: owner, name: 'Backed Up' });
    expect(t).toMatchObject({ last_backup_at: null, next_backup_at: null });
    const nc = await env.nats();
    const completed = (at: string) =>
      publishEvent(nc, env.prefix, { type: EventTypes.BackupCompleted, tenantId: t.id, occurredAt: new Date(at), data: { backup_id: randomUUID(), tenant_id: t.id, type: 'scheduled', status: 'completed', storage: 'filesystem' } });
    const schedule = (enabled: boolean, next: string | null) =>
      publishEvent(nc, env.prefix, { type: EventTypes.BackupScheduleChanged, tenantId: t.id, data: { tenant_id: t.id, enabled, next_run_at: next, schedule: 'daily 02:00', timezone: 'UTC' } });
    const get = () => rpc.call(TenantsRpc.get, { caller: owner, id: t.id });

    await completed('2026-11-30T02:00:05.000Z');
    await schedule(true, '2026-12-01T02:00:00.000Z');
    const shown = await waitFor(async () => ((await get()).next_backup_at ? get() : null), 'next backup shown');
    expect(shown).toMatchObject({ last_backup_at: '2026-11-30T02:00:05.000Z', next_backup_at: '2026-12-01T02:00:00.000Z', updated_at: t.updated_at });
    // An older completion arriving late does not move it back; disabling the schedule clears the next one.
    await completed('2026-11-29T02:00:05.000Z');
    await schedule(false, null);
    const after = await waitFor(async () => ((await get()).next_backup_at === null ? get() : null), 'next backup cleared');
    expect(after.last_backup_at).toBe('2026-11-30T02:00:05.000Z');
  });
});
