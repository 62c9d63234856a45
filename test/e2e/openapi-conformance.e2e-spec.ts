import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { OpenApiResponseValidator, TestPlatform, waitFor, WebhookReceiver, type OpenApiDocument } from '@saas/testing';

interface Answer {
  status: number;
  /** Parsed JSON (a test reads what it just checked against the document). */
  body: any;
}

/**
 * The OpenAPI document against the running platform: a handful of routes of every service, each
 * response (2xx and problems) validated with ajv against the schema of the operation that answered
 * it, strictly — a field a service returns that the document does not name fails too, so the
 * document cannot quietly drift from what the services answer.
 */
describe('responses conform to the OpenAPI document (e2e)', () => {
  let platform: TestPlatform;
  let validator: OpenApiResponseValidator;
  let send: typeof fetch;
  let adminToken: string;
  let ownerToken: string;
  let ownerId: string;
  let tenantId: string;
  const receiver = new WebhookReceiver();
  const password = 'Conformance-Password-42';

  const call = async (method: string, url: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await send(`${platform.baseUrl}${url}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
  };
  const ok = async (method: string, url: string, options: { token?: string; body?: unknown } = {}): Promise<Answer['body']> => {
    const answer = await call(method, url, options);
    if (answer.status >= 300) throw new Error(`${method} ${url} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  beforeAll(async () => {
    await receiver.start();
    platform = await TestPlatform.start('openapi_e2e', {
      services: ['identity', 'tenants', 'provisioning', 'backups', 'billing', 'webhooks'],
      env: { BACKUP_POLL_MS: '100', WEBHOOK_POLL_MS: '100' },
    });
    validator = new OpenApiResponseValidator((await (await fetch(`${platform.baseUrl}/docs/openapi.json`)).json()) as OpenApiDocument);
    send = validator.fetch();
    adminToken = (await ok('POST', '/api/v1/auth/login', { body: platform.admin })).access_token;
    const email = `owner-${platform.runId}@example.com`;
    ownerId = (await ok('POST', '/api/v1/users', { token: adminToken, body: { email, password, full_name: 'Conformance Owner', tier: 'premium', email_verified: true } })).id;
    ownerToken = (await ok('POST', '/api/v1/auth/login', { body: { email, password } })).access_token;
    const created = await ok('POST', '/api/v1/tenants', { token: ownerToken, body: { name: 'Conformance Corp', subdomain: `conf-${platform.runId}` } });
    tenantId = created.id;
    await waitFor(async () => (await ok('GET', `/api/v1/tenants/${tenantId}/status`, { token: ownerToken })).status === 'active', 'tenant active', 90_000, 250);
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
    await receiver.stop();
  }, 120_000);

  // Every response of a test must have matched its operation; the failures name operation, status and field.
  afterEach(() => {
    expect(validator.failures.splice(0)).toEqual([]);
  });

  it('gateway: health, readiness, the JWKS, maintenance, dead letters', async () => {
    for (const url of ['/health', '/ready', '/api/health', '/health/detailed', '/.well-known/jwks.json']) await call('GET', url);
    await ok('GET', '/api/v1/admin/maintenance', { token: adminToken });
    await ok('GET', '/api/v1/admin/dead-letters', { token: adminToken });
  });

  it('identity: me, users, API keys, audit, security metrics, threats and a scan', async () => {
    await ok('GET', '/api/v1/auth/me', { token: ownerToken });
    await ok('GET', '/api/v1/users?page_size=5', { token: adminToken });
    await ok('GET', `/api/v1/users/${ownerId}`, { token: adminToken });
    await ok('GET', `/api/v1/users/${ownerId}/tenants`, { token: adminToken });
    await ok('POST', '/api/v1/api-keys', { token: ownerToken, body: { name: 'conformance' } });
    await ok('GET', '/api/v1/api-keys', { token: ownerToken });
    await ok('GET', '/api/v1/audit/logs?page_size=5', { token: adminToken });
    await ok('GET', '/api/v1/security/metrics', { token: adminToken });
    await ok('GET', '/api/v1/security/threats', { token: adminToken });
    const scan = await ok('POST', '/api/v1/security/scan', { token: adminToken });
    await ok('GET', `/api/v1/security/scans/${scan.id}`, { token: adminToken });
  });

  it('tenants and provisioning: the tenant, its status, members, instance, metrics, logs, an action; admin views', async () => {
    await ok('GET', '/api/v1/tenants', { token: ownerToken });
    await ok('GET', `/api/v1/tenants/${tenantId}`, { token: ownerToken });
    await ok('GET', `/api/v1/tenants/${tenantId}/status`, { token: ownerToken });
    const member = await ok('POST', '/api/v1/users', { token: adminToken, body: { email: `member-${platform.runId}@example.com`, password, full_name: 'Member', email_verified: true } });
    await ok('POST', `/api/v1/tenants/${tenantId}/users`, { token: ownerToken, body: { user_id: member.id, role: 'member' } });
    await ok('GET', `/api/v1/tenants/${tenantId}/users`, { token: ownerToken });
    await ok('DELETE', `/api/v1/tenants/${tenantId}/users/${member.id}`, { token: ownerToken });
    await ok('GET', `/api/v1/tenants/${tenantId}/instance`, { token: ownerToken });
    await ok('GET', `/api/v1/tenants/${tenantId}/metrics`, { token: ownerToken });
    await ok('GET', `/api/v1/tenants/${tenantId}/logs?page_size=5`, { token: ownerToken });
    await ok('GET', '/api/v1/admin/tenants', { token: adminToken });
    await ok('GET', '/api/v1/admin/stats', { token: adminToken });
    await ok('GET', '/api/v1/admin/metrics/platform', { token: adminToken });
    await ok('POST', `/api/v1/tenants/${tenantId}/instance/actions`, { token: ownerToken, body: { action: 'restart' } });
    await waitFor(async () => (await ok('GET', `/api/v1/tenants/${tenantId}/status`, { token: ownerToken })).operation?.status !== 'running', 'restart done', 60_000, 250);
  }, 90_000);

  it('billing: plans, subscriptions, seats, a preview, invoices, payment methods', async () => {
    await call('GET', '/api/v1/billing/plans');
    await waitFor(async () => (await ok('GET', `/api/v1/tenants/${tenantId}/subscriptions`, { token: ownerToken })).count > 0, 'subscription', 30_000, 250);
    const { results } = await ok('GET', `/api/v1/billing/subscriptions?tenant_id=${tenantId}`, { token: ownerToken });
    const subscription = results[0];
    await ok('GET', `/api/v1/billing/subscriptions/${subscription.id}`, { token: ownerToken });
    await ok('GET', `/api/v1/billing/subscriptions/${subscription.id}/users`, { token: ownerToken });
    await ok('POST', `/api/v1/billing/subscriptions/${subscription.id}/preview`, { token: ownerToken, body: { plan: 'premium' } });
    await ok('POST', '/api/v1/billing/payment-methods', { token: ownerToken, body: { tenant_id: tenantId, card_number: '4242424242424242', exp_month: 12, exp_year: 2035 } });
    await ok('GET', `/api/v1/billing/payment-methods?tenant_id=${tenantId}`, { token: ownerToken });
    const invoices = await ok('GET', '/api/v1/billing/invoices', { token: ownerToken });
    if (invoices.results[0]) await ok('GET', `/api/v1/billing/invoices/${invoices.results[0].id}`, { token: ownerToken });
  }, 60_000);

  it('webhooks and integrations: endpoints, a secret rotation, a test message, deliveries, event types; providers, events, health', async () => {
    const endpoint = await ok('POST', '/api/v1/webhooks/endpoints', { token: ownerToken, body: { url: receiver.url, tenant_id: tenantId, event_types: ['tenant.updated'] } });
    await ok('GET', `/api/v1/webhooks/endpoints?tenant_id=${tenantId}`, { token: ownerToken });
    await ok('GET', `/api/v1/webhooks/endpoints/${endpoint.id}`, { token: ownerToken });
    await ok('PUT', `/api/v1/webhooks/endpoints/${endpoint.id}`, { token: ownerToken, body: { description: 'conformance' } });
    await ok('POST', `/api/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`, { token: ownerToken });
    await ok('POST', `/api/v1/webhooks/endpoints/${endpoint.id}/test`, { token: ownerToken });
    await waitFor(async () => (await ok('GET', `/api/v1/webhooks/deliveries?endpoint_id=${endpoint.id}`, { token: ownerToken })).results[0]?.status === 'succeeded', 'delivered', 30_000, 250);
    await ok('GET', '/api/v1/webhooks/event-types', { token: ownerToken });
    await ok('DELETE', `/api/v1/webhooks/endpoints/${endpoint.id}`, { token: ownerToken });
    const provider = await ok('POST', '/api/v1/integrations/providers', { token: adminToken, body: { name: `conf-${platform.runId}`, secret_key: 'conformance-provider-secret-0123456789' } });
    await ok('GET', '/api/v1/integrations/providers', { token: adminToken });
    await ok('GET', `/api/v1/integrations/providers/${provider.id}`, { token: adminToken });
    await ok('GET', '/api/v1/integrations/events', { token: adminToken });
    await ok('GET', '/api/v1/integrations/health', { token: adminToken });
    await ok('DELETE', `/api/v1/integrations/providers/${provider.id}`, { token: adminToken });
  }, 60_000);

  it('backups: a backup, the list, one backup, the schedule', async () => {
    const accepted = await ok('POST', `/api/v1/tenants/${tenantId}/backups`, { token: ownerToken, body: { type: 'manual' } });
    await ok('GET', `/api/v1/tenants/${tenantId}/backups`, { token: ownerToken });
    await waitFor(async () => (await ok('GET', `/api/v1/tenants/${tenantId}/backups/${accepted.backup.id}`, { token: ownerToken })).status !== 'running', 'backup done', 60_000, 250);
    await ok('GET', `/api/v1/tenants/${tenantId}/backup-schedule`, { token: ownerToken });
  }, 90_000);

  it('problems: 401, 403, 404 and a validation error are the documented problem+json', async () => {
    expect((await call('GET', '/api/v1/tenants')).status).toBe(401);
    expect((await call('GET', '/api/v1/admin/stats', { token: ownerToken })).status).toBe(403);
    expect((await call('GET', '/api/v1/tenants/00000000-0000-4000-8000-000000000000', { token: ownerToken })).body.code).toBe('TENANT_NOT_FOUND');
    expect((await call('POST', '/api/v1/tenants', { token: ownerToken, body: { name: 'x', role: 'admin' } })).body.code).toBe('VALIDATION_FAILED');
  });

  it('checked what it drove: at least one operation of every area, successes and problems', () => {
    expect([...validator.checked]).toEqual(
      expect.arrayContaining([
        ...['health.get', 'health.ready', 'health.legacy', 'health.detailed', 'auth.jwks.get', 'admin.maintenance.get', 'admin.deadLetters.list'].map((o) => `${o} 200`),
        ...['auth.me', 'users.list', 'users.get', 'apiKeys.list', 'audit.logs.list', 'security.metrics.get', 'security.threats.list', 'security.scans.get'].map((o) => `${o} 200`),
        ...['tenants.members.list', 'tenants.members.remove', 'tenants.instance.get', 'tenants.metrics.get', 'tenants.logs.list', 'admin.stats.get', 'admin.metrics.platform'].map((o) => `${o} 200`),
        ...['billing.plans.list', 'billing.subscriptions.get', 'billing.subscriptions.users.list', 'billing.subscriptions.preview', 'billing.payment-methods.list'].map((o) => `${o} 200`),
        ...['webhooks.endpoints.get', 'webhooks.endpoints.rotate_secret', 'webhooks.deliveries.list', 'webhooks.event_types.list', 'integrations.providers.get', 'integrations.health.get'].map((o) => `${o} 200`),
        ...['backups.backups.list', 'backups.backups.get', 'backups.schedule.get'].map((o) => `${o} 200`),
        ...['users.create', 'apiKeys.create', 'tenants.members.add', 'billing.payment-methods.create', 'webhooks.endpoints.create', 'integrations.providers.create'].map((o) => `${o} 201`),
        ...['tenants.create', 'tenants.instance.action', 'security.scans.start', 'webhooks.endpoints.test', 'backups.backups.create'].map((o) => `${o} 202`),
        'tenants.create 400',
        'tenants.list 401',
        'admin.stats.get 403',
        'tenants.get 404',
      ]),
    );
  });
});
