import 'reflect-metadata';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpRequest, mailToken, processesWithArgument, readMailDir, TestPlatform, waitFor, type HttpResponse } from '@saas/testing';

/**
 * Tenants as a customer and an operator use them: through the gateway, with real identity, tenants
 * and provisioning services on the local runtime. Create → active → the app answers at its
 * subdomain → stop → start → delete → deleted with nothing left; someone else's tenant is a 404 on
 * every tenant route.
 */
const ADMIN = { email: 'ops@example.com', password: 'Ops-Password-Strong-42' };
const PASSWORD = 'Tenant-Owner-Password-42';

/** The tenant's app processes (the local runtime marks them with `--saas-tenant=<id>`). */
const tenantProcesses = (tenantId: string) => processesWithArgument(`--saas-tenant=${tenantId}`);

describe('tenants through the gateway (e2e)', () => {
  let platform: TestPlatform;
  let runId: string;
  let adminToken: string;
  let ownerToken: string;
  let strangerToken: string;

  const call = (method: string, url: string, token?: string, body?: object, headers: Record<string, string> = {}): Promise<HttpResponse> =>
    platform.call(method, url, token, body, headers);
  const status = async (id: string) => (await call('GET', `/api/v1/tenants/${id}/status`, ownerToken)).json() as { status: string; progress: number; error: string | null };
  const until = (id: string, want: string, timeoutMs = 45_000) =>
    waitFor(async () => ((await status(id)).status === want ? status(id) : null), `tenant ${want}`, timeoutMs, 100);
  const viaSubdomain = (slug: string) =>
    httpRequest(`http://127.0.0.1:${platform.port}`, { method: 'GET', url: '/', headers: { host: `${slug}.localhost:${platform.port}` } });

  beforeAll(async () => {
    platform = await TestPlatform.start('tenants_e2e', {
      // A deletion waits for the tenant's final backup (backups service).
      services: ['identity', 'tenants', 'provisioning', 'backups'],
      admin: ADMIN,
      serviceEnv: { backups: { BACKUP_POLL_MS: '100' } },
    });
    runId = platform.runId;
    adminToken = await platform.adminToken();
    ownerToken = (await platform.user('owner', { password: PASSWORD })).token;
    strangerToken = (await platform.user('stranger', { password: PASSWORD })).token;
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  }, 120_000);

  it("registers with seed 002's tenant_name + tenant_domain: once the email is verified, that tenant is created with the user as owner", async () => {
    const email = `signup-${runId}@example.com`;
    const register = await call('POST', '/api/v1/auth/register', undefined, { email, password: PASSWORD, full_name: 'Sign Up', tenant_name: 'My Company', tenant_domain: 'mycompany.com' });
    expect(register.statusCode).toBe(202);
    expect(register.json()).toMatchObject({ status: 'accepted', requested_tenant: { name: 'My Company', domain: 'mycompany.com', created: 'after_email_verification' } });
    // The mail is a file under MAIL_LOG_DIR (no SMTP_URL).
    const token = await waitFor(() => {
      const mail = readMailDir(path.join(platform.runtimeDir, 'mail')).find((m) => m.to.includes(email) && /verify/i.test(`${m.subject}\n${m.text}`));
      return mail && mailToken(mail);
    }, 'the verification mail');
    const login = async () => (await call('POST', '/api/v1/auth/login', undefined, { email, password: PASSWORD })).json().access_token as string;
    // Nothing is created before the address is proven.
    expect((await call('GET', '/api/v1/tenants', await login())).json().count).toBe(0);
    const verified = await call('POST', '/api/v1/auth/verify-email', undefined, { token });
    expect(verified.json()).toMatchObject({ email_verified: true, requested_tenant: { name: 'My Company', domain: 'mycompany.com', status: 'creating' } });

    const userToken = await login();
    const listed = await waitFor(async () => {
      const page = (await call('GET', '/api/v1/tenants', userToken)).json();
      return page.count === 1 ? page : null;
    }, 'the requested tenant');
    const tenant = listed.results[0];
    const me = (await call('GET', '/api/v1/auth/me', userToken)).json();
    expect(tenant).toMatchObject({ name: 'My Company', domain: 'mycompany.com', owner_id: me.id, contact_email: email });
    const statusOf = async () => (await call('GET', `/api/v1/tenants/${tenant.id}/status`, userToken)).json().status as string;
    await waitFor(async () => (await statusOf()) === 'active', 'the requested tenant active', 45_000, 100);
    // A second verification attempt (the link clicked again) creates nothing more.
    await call('POST', '/api/v1/auth/verify-email', undefined, { token });
    expect((await call('GET', '/api/v1/tenants', userToken)).json().count).toBe(1);
    expect((await call('DELETE', `/api/v1/tenants/${tenant.id}`, userToken)).statusCode).toBe(202);
    await waitFor(async () => (await statusOf()) === 'deleted', 'the requested tenant deleted', 45_000, 100);
  });

  it("lists a tenant's members a page at a time with each user's name, email and is_active (seeds 003, 004)", async () => {
    const created = await call('POST', '/api/v1/tenants', ownerToken, { name: 'Members Co', subdomain: `members-${runId}` });
    expect(created.statusCode).toBe(202);
    const tenant = created.json();
    const stranger = (await call('GET', '/api/v1/auth/me', strangerToken)).json();
    const owner = (await call('GET', '/api/v1/auth/me', ownerToken)).json();
    expect((await call('POST', `/api/v1/tenants/${tenant.id}/users`, ownerToken, { user_id: stranger.id, role: 'member' })).statusCode).toBe(201);

    const first = await call('GET', `/api/v1/tenants/${tenant.id}/users?page_size=1`, ownerToken);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ count: 2, previous: null, results: [{ id: owner.id, user_id: owner.id, role: 'owner', name: 'owner', email: owner.email, is_active: true }] });
    expect(first.json().next).toContain('page=2');
    const second = await call('GET', `/api/v1/tenants/${tenant.id}/users?page=2&page_size=1`, strangerToken);
    expect(second.json().results).toEqual([expect.objectContaining({ user_id: stranger.id, role: 'member', email: stranger.email, is_active: true })]);
    expect((await call('GET', `/api/v1/tenants/${tenant.id}/users?role=member`, ownerToken)).json().count).toBe(1);
    expect((await call('GET', `/api/v1/tenants/${tenant.id}/users?search=x`, ownerToken)).statusCode).toBe(400);
    expect((await call('DELETE', `/api/v1/tenants/${tenant.id}`, ownerToken)).statusCode).toBe(202);
    await until(tenant.id, 'deleted');
  });

  it('scans the platform (admins): findings from the gateway, identity, tenants and provisioning, each with a severity, an explanation and the fix', async () => {
    expect((await call('POST', '/api/v1/security/scan', ownerToken)).statusCode).toBe(403);
    const started = await call('POST', '/api/v1/security/scan', adminToken);
    expect(started.statusCode).toBe(202);
    expect(started.json()).toMatchObject({ status: 'running', status_url: `/api/v1/security/scans/${started.json().id}` });
    const scan = await waitFor(async () => {
      const s = (await call('GET', started.json().status_url, adminToken)).json();
      return s.status === 'completed' ? s : null;
    }, 'the scan completed', 20_000, 100);
    const found = (code: string, source: string) => scan.findings.find((f: { code: string; source: string }) => f.code === code && f.source === source);
    expect(found('HTTPS_OFF', 'gateway')).toMatchObject({ severity: 'low', fix: expect.stringContaining('PUBLIC_URL') });
    expect(found('ADMIN_WITHOUT_MFA', 'identity')).toMatchObject({ severity: 'medium', resource: { type: 'user' } });
    // The test platform runs on the development secrets: each service says so for its own.
    expect(found('DEV_SECRET_IN_USE', 'tenants')).toMatchObject({ severity: 'low', explanation: expect.stringContaining('TENANTS_SECRET_KEYS') });
    expect(found('DEV_SECRET_IN_USE', 'provisioning')).toMatchObject({ severity: 'low' });
    expect(scan.not_scanned).not.toEqual(expect.arrayContaining(['tenants']));
    expect(scan.not_scanned).not.toEqual(expect.arrayContaining(['provisioning']));
    expect(scan.summary.medium).toBeGreaterThanOrEqual(1);
    for (const f of scan.findings) expect(f).toEqual(expect.objectContaining({ title: expect.any(String), explanation: expect.any(String), fix: expect.any(String) }));
    expect((await call('GET', '/api/v1/security/scans?page_size=1', adminToken)).json()).toMatchObject({ count: expect.any(Number), results: [{ id: scan.id }] });
    expect((await call('GET', `/api/v1/security/scans/${runId.padEnd(8, '0')}-0000-4000-8000-000000000000`, adminToken)).statusCode).toBe(404);
  });

  it('create → active → the app answers at its subdomain → stop → start → delete → deleted, nothing left', async () => {
    const slug = `acme-${runId}`;
    const create = await call('POST', '/api/v1/tenants', ownerToken, { name: 'Acme Corporation', subdomain: slug, admin_password: 'instance-admin-secret' }, { 'idempotency-key': `create-${runId}` });
    expect(create.statusCode).toBe(202);
    const tenant = create.json();
    expect(tenant).toMatchObject({ slug, status: 'pending', status_url: `/api/v1/tenants/${tenant.id}/status`, admin_password_set: true });
    expect(create.body).not.toContain('instance-admin-secret');
    // Idempotency-Key: the same request replays the first answer instead of creating a second tenant.
    const replay = await call('POST', '/api/v1/tenants', ownerToken, { name: 'Acme Corporation', subdomain: slug, admin_password: 'instance-admin-secret' }, { 'idempotency-key': `create-${runId}` });
    expect(replay.json().id).toBe(tenant.id);

    await until(tenant.id, 'active');
    // The runtime's names of what it made, for an operator to find them.
    expect((await call('GET', `/api/v1/tenants/${tenant.id}`, ownerToken)).json().service_ids).toEqual({ web_service: `local/${slug}`, database: `tenant_${slug.replace(/-/g, '_')}` });
    const page = await viaSubdomain(slug);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Acme Corporation</h1>');

    const instance = await call('GET', `/api/v1/tenants/${tenant.id}/instance`, ownerToken);
    expect(instance.json()).toMatchObject({ status: 'running', runtime: 'local', tenant_id: tenant.id });
    expect((await call('GET', `/api/v1/tenants/${tenant.id}/metrics`, ownerToken)).statusCode).toBe(200);
    const logs = await call('GET', `/api/v1/tenants/${tenant.id}/logs?page_size=50`, ownerToken);
    expect(logs.statusCode).toBe(200);
    expect(logs.json()).toHaveProperty('results');

    expect((await call('POST', `/api/v1/tenants/${tenant.id}/instance/actions`, ownerToken, { action: 'stop' })).statusCode).toBe(202);
    await until(tenant.id, 'stopped');
    await waitFor(async () => (await viaSubdomain(slug)).statusCode === 503, 'subdomain answers 503 while stopped', 10_000);

    expect((await call('POST', `/api/v1/tenants/${tenant.id}/instance/actions`, ownerToken, { action: 'start' })).statusCode).toBe(202);
    await until(tenant.id, 'active');
    await waitFor(async () => (await viaSubdomain(slug)).statusCode === 200, 'subdomain serves again', 10_000);

    // The operator sees it and can act on it with a reason.
    const adminList = await call('GET', `/api/v1/admin/tenants?search=${slug}`, adminToken);
    expect(adminList.json().results.map((t: { id: string }) => t.id)).toContain(tenant.id);
    expect((await call('GET', '/api/v1/admin/tenants', ownerToken)).statusCode).toBe(403);

    expect((await call('DELETE', `/api/v1/tenants/${tenant.id}`, ownerToken)).statusCode).toBe(202);
    await until(tenant.id, 'deleted');
    expect(tenantProcesses(tenant.id)).toEqual([]);
    const c = await platform.env.pg();
    const left = await c.query(`SELECT 1 FROM pg_database WHERE datname = $1 UNION ALL SELECT 1 FROM pg_roles WHERE rolname = $1`, [`tenant_${slug.replace(/-/g, '_')}`]);
    await c.end();
    expect(left.rowCount).toBe(0);
  }, 180_000);

  it('shows platform-wide metrics to admins only, each section from its service and the missing ones named', async () => {
    const slug = `metrics-${runId}`;
    const tenant = (await call('POST', '/api/v1/tenants', ownerToken, { name: 'Metrics Co', subdomain: slug })).json();
    await until(tenant.id, 'active');

    expect((await call('GET', '/api/v1/admin/metrics/platform', ownerToken)).statusCode).toBe(403);
    const res = await call('GET', '/api/v1/admin/metrics/platform', adminToken);
    expect({ status: res.statusCode, body: res.statusCode === 200 ? null : res.json() }).toEqual({ status: 200, body: null });
    const m = res.json();
    expect(m.tenants).toMatchObject({ by_status: expect.objectContaining({ active: expect.any(Number) }), by_database_strategy: { dedicated: expect.any(Number) } });
    expect(m.tenants.total_tenants).toBeGreaterThanOrEqual(1);
    expect(m.tenants.created_last_24h).toBeGreaterThanOrEqual(1);
    expect(m.users).toMatchObject({ admins: 1, inactive: 0 });
    expect(m.users.total).toBeGreaterThanOrEqual(3); // the admin, the owner, the stranger
    expect(m.users.logged_in_last_24h).toBeGreaterThanOrEqual(3);
    expect(m.instances).toMatchObject({ runtime: 'local', by_status: expect.objectContaining({ running: expect.any(Number) }) });
    expect(m.instances.by_status.running).toBeGreaterThanOrEqual(1);
    expect(m.instances.memory_bytes).toBeGreaterThan(0); // the running app's RSS, sampled from the OS
    // Billing and webhooks do not run in this test: said so, not guessed.
    expect(m.revenue).toBeNull();
    expect(m.unavailable).toEqual(['billing']);
    expect(m.health.services).toMatchObject({ identity: 'ok', tenants: 'ok', provisioning: 'ok', billing: 'down' });
    expect(m.health.postgres).toBe('ok');
  });

  it("answers 404 for someone else's tenant on every tenant route", async () => {
    const create = await call('POST', '/api/v1/tenants', ownerToken, { name: 'Private Ltd', subdomain: `private-${runId}`, database_strategy: 'shared' });
    expect(create.statusCode).toBe(202);
    const id = create.json().id as string;
    const routes: Array<[string, string, object?]> = [
      ['GET', `/api/v1/tenants/${id}`],
      ['PUT', `/api/v1/tenants/${id}`, { name: 'Hijacked' }],
      ['PATCH', `/api/v1/tenants/${id}`, { name: 'Hijacked' }],
      ['DELETE', `/api/v1/tenants/${id}`],
      ['GET', `/api/v1/tenants/${id}/status`],
      ['GET', `/api/v1/tenants/${id}/users`],
      ['POST', `/api/v1/tenants/${id}/users`, { user_id: '00000000-0000-4000-8000-000000000000' }],
      ['DELETE', `/api/v1/tenants/${id}/users/00000000-0000-4000-8000-000000000000`],
      ['GET', `/api/v1/tenants/${id}/subscriptions`],
      ['GET', `/api/v1/tenants/${id}/instance`],
      ['POST', `/api/v1/tenants/${id}/instance/actions`, { action: 'stop' }],
      ['GET', `/api/v1/tenants/${id}/metrics`],
      ['GET', `/api/v1/tenants/${id}/logs`],
    ];
    for (const [method, url, body] of routes) {
      const res = await call(method, url, strangerToken, body);
      expect([method, url, res.statusCode, res.json().code]).toEqual([method, url, 404, 'TENANT_NOT_FOUND']);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const list = await call('GET', '/api/v1/tenants', strangerToken);
    expect(list.json().results).toEqual([]);
    // And it still exists, untouched, for its owner.
    await until(id, 'active');
    expect((await call('GET', `/api/v1/tenants/${id}`, ownerToken)).json().name).toBe('Private Ltd');
    expect((await call('DELETE', `/api/v1/tenants/${id}`, ownerToken)).statusCode).toBe(202);
    await until(id, 'deleted');
  }, 180_000);

  it('refuses bad input with problem+json codes and never applies it', async () => {
    const reserved = await call('POST', '/api/v1/tenants', ownerToken, { name: 'Www', subdomain: 'www' });
    expect([reserved.statusCode, reserved.json().code]).toEqual([400, 'INVALID_SUBDOMAIN']);
    const massAssign = await call('POST', '/api/v1/tenants', ownerToken, { name: 'Sneaky', status: 'active', owner_id: '00000000-0000-4000-8000-000000000000' });
    expect([massAssign.statusCode, massAssign.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    const unauth = await call('GET', '/api/v1/tenants');
    expect([unauth.statusCode, unauth.json().code]).toEqual([401, 'UNAUTHORIZED']);
  }, 60_000);
});
