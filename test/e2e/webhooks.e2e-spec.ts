import 'reflect-metadata';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { httpRequest, readMailDir, TestPlatform, waitFor, WebhookReceiver, type HttpResponse } from '@saas/testing';

/**
 * Outgoing webhooks as a customer and an operator use them, through the gateway, with real identity,
 * tenants, provisioning and webhooks services: an admin registers a platform endpoint for
 * `tenant.*`, an owner creates a tenant, and the receiver gets `tenant.created` and `tenant.ready`,
 * signed (checked with the standardwebhooks package). The secret is shown once and never again.
 */
const ADMIN = { email: 'ops@example.com', password: 'Ops-Password-Strong-42' };
const PASSWORD = 'Tenant-Owner-Password-42';

describe('webhooks through the gateway (e2e)', () => {
  let platform: TestPlatform;
  let runId: string;
  const receiver = new WebhookReceiver();
  let adminToken: string;
  let ownerToken: string;
  let strangerToken: string;
  const tenantIds: string[] = [];

  const call = (method: string, url: string, token?: string, body?: object): Promise<HttpResponse> => platform.call(method, url, token, body);

  beforeAll(async () => {
    await receiver.start();
    platform = await TestPlatform.start('webhooks_e2e', {
      services: ['identity', 'tenants', 'provisioning', 'webhooks'],
      admin: ADMIN,
      env: { WEBHOOK_POLL_MS: '100' },
    });
    runId = platform.runId;
    adminToken = await platform.adminToken();
    ownerToken = (await platform.user('owner', { password: PASSWORD })).token;
    strangerToken = (await platform.user('stranger', { password: PASSWORD })).token;
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await receiver.stop();
  }, 120_000);

  it('delivers tenant.created and tenant.ready of a new tenant to a tenant.* endpoint, signed; the secret is never shown again', async () => {
    const created = await call('POST', '/api/v1/webhooks/endpoints', adminToken, { url: receiver.url, description: 'ops feed', event_types: ['tenant.*'] });
    expect(created.statusCode).toBe(201);
    const endpoint = created.json() as { id: string; secret: string; tenant_id: string | null };
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(endpoint.tenant_id).toBeNull();

    // Platform endpoints are the operators'; to a tenant owner they do not exist.
    expect((await call('GET', `/api/v1/webhooks/endpoints/${endpoint.id}`, ownerToken)).statusCode).toBe(404);
    expect((await call('POST', '/api/v1/webhooks/endpoints', adminToken, { url: 'ftp://example.com/x' })).json()).toMatchObject({ status: 400, code: 'INVALID_WEBHOOK_URL' });
    expect((await call('POST', '/api/v1/webhooks/endpoints', adminToken, { url: receiver.url, secret: 'mine' })).statusCode).toBe(400);

    const tenant = (await call('POST', '/api/v1/tenants', ownerToken, { name: 'Hooked Corp', subdomain: `hooked-${runId}` })).json() as { id: string };
    tenantIds.push(tenant.id);
    const got = await waitFor(() => {
      const types = receiver.requests.map((r) => JSON.parse(r.body).type as string);
      return types.includes('tenant.created') && types.includes('tenant.ready') ? receiver.requests : null;
    }, 'tenant.created and tenant.ready at the receiver', 60_000, 200);
    const wh = new Webhook(endpoint.secret);
    for (const r of got.filter((q) => ['tenant.created', 'tenant.ready'].includes(JSON.parse(q.body).type))) {
      const body = wh.verify(r.body, r.headers as Record<string, string>) as { type: string; timestamp: string; data: { tenant_id: string } };
      expect(body.data.tenant_id).toBe(tenant.id);
      expect(Date.parse(body.timestamp)).not.toBeNaN();
    }
    const types = got.map((r) => JSON.parse(r.body).type as string);
    expect(types.indexOf('tenant.created')).toBeLessThan(types.indexOf('tenant.ready'));
    expect(types.every((t) => t.startsWith('tenant.'))).toBe(true);

    // The owner registers the tenant's own endpoint; GETs never carry the secret; a stranger gets 404.
    const own = await call('POST', '/api/v1/webhooks/endpoints', ownerToken, { tenant_id: tenant.id, url: receiver.url, event_types: ['tenant.updated'] });
    expect(own.statusCode).toBe(201);
    const ownEndpoint = own.json() as { id: string; secret: string };
    const one = await call('GET', `/api/v1/webhooks/endpoints/${ownEndpoint.id}`, ownerToken);
    expect(one.statusCode).toBe(200);
    expect(one.body).not.toContain(ownEndpoint.secret.slice(6));
    const list = await call('GET', `/api/v1/webhooks/endpoints?tenant_id=${tenant.id}`, ownerToken);
    expect(list.json()).toMatchObject({ count: 1, results: [{ id: ownEndpoint.id }] });
    expect(list.body).not.toContain(ownEndpoint.secret.slice(6));
    const all = await call('GET', '/api/v1/webhooks/endpoints', adminToken);
    expect(all.body).not.toContain(endpoint.secret.slice(6));
    expect((await call('GET', `/api/v1/webhooks/endpoints/${ownEndpoint.id}`, strangerToken)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/webhooks/endpoints?tenant_id=${tenant.id}`, strangerToken)).statusCode).toBe(404);

    const log = await call('GET', `/api/v1/webhooks/deliveries?endpoint_id=${endpoint.id}&event_type=tenant.ready`, adminToken);
    expect(log.statusCode).toBe(200);
    expect(log.json().results[0]).toMatchObject({ event_type: 'tenant.ready', status: 'succeeded', attempts: [{ status_code: 200 }] });
    const types2 = await call('GET', '/api/v1/webhooks/event-types', ownerToken);
    expect(types2.json().results.map((t: { type: string }) => t.type)).toEqual(expect.arrayContaining(['tenant.created', 'tenant.ready', 'webhook_endpoint.disabled']));
  }, 120_000);

  it('mails the tenant’s owner (the address identity has for them) when the platform disables one of its endpoints', async () => {
    const tenantId = tenantIds[0]!;
    const gone = await new WebhookReceiver().start();
    try {
      gone.always({ status: 410 });
      const created = await call('POST', '/api/v1/webhooks/endpoints', ownerToken, { tenant_id: tenantId, url: `${gone.url}?key=e2e-secret-key`, event_types: ['tenant.updated'] });
      expect(created.statusCode).toBe(201);
      const endpoint = created.json() as { id: string };
      expect((await call('PATCH', `/api/v1/tenants/${tenantId}`, ownerToken, { name: 'Hooked Corp Renamed' })).statusCode).toBe(200);
      const mail = await waitFor(() => readMailDir(path.join(platform.runtimeDir, 'mail')).find((m) => m.text.includes(endpoint.id)), 'the endpoint-disabled mail', 30_000, 200);
      expect(mail.to).toBe(`owner-${runId}@example.com`);
      expect(mail.text).toContain('Why: the endpoint answered 410 Gone.');
      expect(mail.text).toContain(`/api/v1/webhooks/endpoints/${endpoint.id}`);
      expect(mail.text).not.toContain('e2e-secret-key');
      const after = (await call('GET', `/api/v1/webhooks/endpoints/${endpoint.id}`, ownerToken)).json() as { enabled: boolean };
      expect(after.enabled).toBe(false);
    } finally {
      await gone.stop();
    }
  }, 60_000);

  it('takes a provider’s signed webhook once (public route, raw body verified), and refuses bad signatures, malformed JSON and oversized bodies', async () => {
    const name = `pay-${runId}`;
    const secret = 'e2e-provider-hmac-secret';
    const created = await call('POST', '/api/v1/integrations/providers', adminToken, { name, secret_key: secret, signature_scheme: 'hmac_sha256' });
    expect(created.statusCode).toBe(201);
    expect(created.body).not.toContain(secret);
    expect((await call('POST', '/api/v1/integrations/providers', ownerToken, { name: 'x-owner', secret_key: secret })).statusCode).toBe(403);

    // Signed over the exact bytes sent: spacing and key order that JSON.stringify would not reproduce.
    const raw = '{ "type":"payment.succeeded",  "id":"evt_e2e_1", "data":{"amount":4200} }';
    const post = (body: string, signature: string | null, headers: Record<string, string> = {}) =>
      httpRequest(platform.baseUrl, {
        method: 'POST',
        url: `/api/v1/integrations/webhooks/${name}`,
        headers: { 'content-type': 'application/json', ...(signature ? { 'x-signature': signature } : {}), ...headers },
        payload: body,
      });
    const sign = (body: string) => createHmac('sha256', secret).update(body).digest('hex');
    const first = await post(raw, sign(raw));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ received: true, duplicate: false });
    const again = await post(raw, sign(raw));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ duplicate: true, id: first.json().id });

    const forged = await post(raw, sign(raw.replace('4200', '1')));
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toMatchObject({ code: 'INVALID_SIGNATURE' });
    expect((await post(raw, null)).json()).toMatchObject({ status: 401, code: 'INVALID_SIGNATURE' });
    // Both refusals reach the security metrics (reported to identity in a batch).
    await waitFor(async () => (await call('GET', '/api/v1/security/metrics?window_s=3600', adminToken)).json().signature_failures >= 2, 'signature failures in security/metrics', 20_000, 250);
    const malformed = await post('{"type": ', sign('{"type": '));
    expect(malformed.statusCode).toBe(400);
    const huge = JSON.stringify({ id: 'big', pad: 'x'.repeat(1_100_000) });
    expect((await post(huge, sign(huge))).statusCode).toBe(413);

    const events = await waitFor(async () => {
      const res = await call('GET', `/api/v1/integrations/events?provider=${name}&status=processed`, adminToken);
      const page = res.json() as { count: number; results: Array<Record<string, unknown>> };
      return page.count === 1 ? page : null;
    }, 'processed event', 20_000);
    expect(events.results[0]).toMatchObject({ event_id: 'evt_e2e_1', type: 'payment.succeeded', payload: { data: { amount: 4200 } } });
    expect((await call('GET', '/api/v1/integrations/health', adminToken)).statusCode).toBe(200);
  }, 60_000);
});
