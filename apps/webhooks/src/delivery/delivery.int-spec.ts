import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import {
  EventTypes,
  PLAN_CATALOGUE,
  WebhooksRpc,
  type CallerDto,
  type CreatedWebhookEndpointView } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { FakeTenantAccess, FakeUserProfiles, publishEvent, readEvents, readMailDir, TestEnv, waitFor, WebhookReceiver } from '@saas/testing';
import { AppModule } from '../app.module.js';
import { webhooksConfigSchema } from '../config.js';
import { webhooksEntities } from '../entities.js';
import { webhooksMigrations } from '../migrations/index.js';
import { DeliveryQueue } from './delivery-queue.js';
import { DeliveryRetention } from './delivery-retention.js';
import { leaseNamespace } from './lease-owner.js';

const user = (id = randomUUID()): CallerDto => ({ actor: { type: 'user', id }, roles: ['user'] });
const admin: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['admin', 'user'] };

async function rejection(p: Promise<unknown>): Promise<DomainException> {
  try {
    await p;
  } catch (e) {
    return e as DomainException;
  }
  throw new Error('expected a rejection');
}

describe('webhooks service: endpoints and deliveries (real Postgres, NATS and HTTP receivers)', () => {
  let env: TestEnv;
  let svc: RunningService;
  let rpc: RpcClient;
  const tenants = new FakeTenantAccess();
  const profiles = new FakeUserProfiles();
  const mailDir = mkdtempSync(path.join(tmpdir(), 'webhooks-mail-'));
  const receivers: WebhookReceiver[] = [];
  const owner = user();
  const ownerEmail = `owner-${owner.actor.id!.slice(0, 8)}@example.com`;
  profiles.add(owner.actor.id!, ownerEmail);
  const mailsAbout = (endpointId: string) => readMailDir(mailDir).filter((m) => m.text.includes(endpointId));
  const member = user();
  const stranger = user();

  const receiver = async () => {
    const r = await new WebhookReceiver().start();
    receivers.push(r);
    return r;
  };
  const newTenant = () => {
    const id = randomUUID();
    tenants.add(id, owner.actor.id!, 'owner').add(id, member.actor.id!, 'member');
    return id;
  };
  const createEndpoint = (caller: CallerDto, body: Record<string, unknown>) => rpc.callRaw(WebhooksRpc.endpointsCreate, { caller, ...body }) as Promise<CreatedWebhookEndpointView>;
  const deliveries = (caller: CallerDto, query: Record<string, unknown>) => rpc.call(WebhooksRpc.deliveriesList, { caller, ...query });
  const publish = (type: string, tenantId: string | null, data: Record<string, unknown> = {}) =>
    env.nats().then((nc) => publishEvent(nc, env.prefix, { type, tenantId, data: { tenant_id: tenantId, ...data } }));

  beforeAll(async () => {
    env = await TestEnv.create('webhooks');
    await tenants.serve(await env.nats(), new SubjectNaming(env.prefix));
    await profiles.serve(await env.nats(), new SubjectNaming(env.prefix));
    svc = await bootstrapService({
      service: 'webhooks',
      module: AppModule,
      entities: webhooksEntities,
      migrations: webhooksMigrations,
      configSchema: webhooksConfigSchema,
      env: env.env({
        WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true',
        WEBHOOK_RETRY_SCHEDULE_S: '0.2,0.2,0.2',
        WEBHOOK_POLL_MS: '50',
        WEBHOOK_TIMEOUT_MS: '3000',
        WEBHOOK_CONNECT_TIMEOUT_MS: '1000',
        WEBHOOK_DISABLE_AFTER_FAILURES: '6',
        WEBHOOK_SECRET_GRACE_S: '3600',
        MAIL_LOG_DIR: mailDir,
        PUBLIC_APP_URL: 'https://console.example.com',
        WEBHOOKS_PLATFORM_ALERT_EMAILS: 'ops@example.com, oncall@example.com',
      }),
    });
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 5_000);
  });

  afterAll(async () => {
    for (const r of receivers) await r.stop();
    await svc?.shutdown();
    tenants.stop();
    profiles.stop();
    await env?.cleanup();
    rmSync(mailDir, { recursive: true, force: true });
  });

  it('lets a tenant owner create an endpoint, shows the secret once, and hides it from strangers (404) and members (403)', async () => {
    const tenantId = newTenant();
    const r = await receiver();
    const created = await createEndpoint(owner, { tenant_id: tenantId, url: r.url, description: 'ops', event_types: ['tenant.*'], headers: { 'X-Team': 'ops' } });
    expect(created).toMatchObject({ tenant_id: tenantId, url: r.url, event_types: ['tenant.*'], enabled: true, headers: { 'x-team': 'ops' } });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

    const got = await rpc.call(WebhooksRpc.endpointsGet, { caller: owner, id: created.id });
    expect(JSON.stringify(got)).not.toContain(created.secret.slice(6));
    expect(got).not.toHaveProperty('secret');
    const listed = await rpc.call(WebhooksRpc.endpointsList, { caller: owner, tenant_id: tenantId });
    expect(listed.results.map((e) => e.id)).toEqual([created.id]);
    expect(JSON.stringify(listed)).not.toContain(created.secret.slice(6));

    expect(await rejection(rpc.call(WebhooksRpc.endpointsGet, { caller: stranger, id: created.id }))).toMatchObject({ status: 404, code: 'WEBHOOK_ENDPOINT_NOT_FOUND' });
    expect(await rejection(rpc.call(WebhooksRpc.endpointsGet, { caller: member, id: created.id }))).toMatchObject({ status: 403 });
    expect(await rejection(createEndpoint(stranger, { tenant_id: tenantId, url: r.url }))).toMatchObject({ status: 404 });
    expect(await rejection(createEndpoint(owner, { url: r.url }))).toMatchObject({ status: 400 });
  });

  it('caps a tenant’s endpoints at its plan’s webhook_endpoints (409 WEBHOOK_ENDPOINT_LIMIT_EXCEEDED); deleting one frees its place', async () => {
    const tenantId = newTenant();
    tenants.plan(tenantId, 'free');
    const first = await createEndpoint(owner, { tenant_id: tenantId, url: 'https://example.com/one' });
    const refused = await rejection(createEndpoint(owner, { tenant_id: tenantId, url: 'https://example.com/two' }));
    expect(refused).toMatchObject({ status: 409, code: 'WEBHOOK_ENDPOINT_LIMIT_EXCEEDED', extensions: { limit: PLAN_CATALOGUE.free.limits.webhook_endpoints, plan: 'free' } });
    expect(refused.message).toContain('free plan allows 1');
    await rpc.call(WebhooksRpc.endpointsDelete, { caller: owner, id: first.id });
    await createEndpoint(owner, { tenant_id: tenantId, url: 'https://example.com/two' });

    // Several at once on a larger plan: exactly as many as it allows get through.
    const other = newTenant();
    tenants.plan(other, 'standard');
    const limit = PLAN_CATALOGUE.standard.limits.webhook_endpoints;
    const results = await Promise.allSettled(Array.from({ length: limit + 3 }, (_, i) => createEndpoint(owner, { tenant_id: other, url: `https://example.com/${i}` })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(limit);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['WEBHOOK_ENDPOINT_LIMIT_EXCEEDED', 'WEBHOOK_ENDPOINT_LIMIT_EXCEEDED', 'WEBHOOK_ENDPOINT_LIMIT_EXCEEDED']);
    // Platform endpoints belong to no tenant and no plan.
    for (let i = 0; i < 2; i++) await createEndpoint(admin, { url: `https://example.com/platform-${i}`, enabled: false });
  });

  it('refuses bad URLs and headers with 400', async () => {
    const tenantId = newTenant();
    for (const url of ['ftp://example.com/hook', 'http://user:pass@example.com/hook', 'not a url at all']) {
      expect(await rejection(createEndpoint(owner, { tenant_id: tenantId, url }))).toMatchObject({ status: 400, code: 'INVALID_WEBHOOK_URL' });
    }
    expect(await rejection(createEndpoint(owner, { tenant_id: tenantId, url: 'https://example.com/h', headers: { 'webhook-id': 'x' } }))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await rejection(createEndpoint(owner, { tenant_id: tenantId, url: 'https://example.com/h', event_types: ['tenant.'] }))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await rejection(createEndpoint(owner, { tenant_id: tenantId, url: 'https://example.com/h', owner: 'me' }))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('delivers matching events signed per Standard Webhooks (verified with the standardwebhooks package), to the tenant’s and the platform’s endpoints only', async () => {
    const tenantId = newTenant();
    const otherTenant = newTenant();
    const [mine, users, other, platform] = [await receiver(), await receiver(), await receiver(), await receiver()];
    const e1 = await createEndpoint(owner, { tenant_id: tenantId, url: mine.url, event_types: ['tenant.*'], headers: { 'x-team': 'ops' } });
    await createEndpoint(owner, { tenant_id: tenantId, url: users.url, event_types: ['user.created'] });
    await createEndpoint(owner, { tenant_id: otherTenant, url: other.url });
    const p = await createEndpoint(admin, { url: platform.url, event_types: ['tenant.ready'] });
    expect(p.tenant_id).toBeNull();

    const event = await publish(EventTypes.TenantReady, tenantId, { status: 'active' });
    await waitFor(() => mine.requests.length === 1 && platform.requests.length === 1, 'both deliveries');
    const req = mine.requests[0]!;
    const body = new Webhook(e1.secret).verify(req.body, req.headers as Record<string, string>);
    expect(body).toEqual({ type: 'tenant.ready', timestamp: event.occurred_at, data: { tenant_id: tenantId, status: 'active' } });
    expect(req.headers['webhook-id']).toBe(event.id);
    expect(req.headers['x-team']).toBe('ops');
    expect(req.headers['content-type']).toBe('application/json');
    expect(() => new Webhook(p.secret).verify(platform.requests[0]!.body, platform.requests[0]!.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(p.secret).verify(req.body, req.headers as Record<string, string>)).toThrow();

    const log = await waitFor(async () => {
      const l = await deliveries(owner, { endpoint_id: e1.id });
      return l.results[0]?.status === 'succeeded' ? l : null;
    }, 'delivery recorded');
    expect(log.results[0]).toMatchObject({ event_id: event.id, webhook_id: event.id, event_type: 'tenant.ready', attempts_count: 1, last_status_code: 200 });
    expect(log.results[0]!.attempts[0]).toMatchObject({ status_code: 200, response_snippet: 'ok', error: null });
    expect(users.requests).toHaveLength(0);
    expect(other.requests).toHaveLength(0);
    expect(await rejection(deliveries(stranger, { endpoint_id: e1.id }))).toMatchObject({ status: 404 });
  });

  it('retries failures on the schedule under the same webhook-id, honouring Retry-After', async () => {
    const tenantId = newTenant();
    const r = (await receiver()).answer({ status: 500, body: 'boom' }, { status: 429, headers: { 'retry-after': '1' } });
    const e = await createEndpoint(owner, { tenant_id: tenantId, url: r.url });
    const event = await publish(EventTypes.TenantUpdated, tenantId);
    await waitFor(() => r.requests.length === 3, 'three attempts', 15_000);
    expect(new Set(r.requests.map((q) => q.headers['webhook-id']))).toEqual(new Set([event.id]));
    for (const q of r.requests) expect(() => new Webhook(e.secret).verify(q.body, q.headers as Record<string, string>)).not.toThrow();
    expect(r.requests[2]!.at - r.requests[1]!.at).toBeGreaterThanOrEqual(950);
    const d = await waitFor(async () => {
      const l = await deliveries(owner, { endpoint_id: e.id, status: 'succeeded' });
      return l.results[0];
    }, 'delivery succeeded');
    expect(d.attempts.map((a) => a.status_code)).toEqual([500, 429, 200]);
    expect(d.attempts[0]!.response_snippet).toBe('boom');
    const endpoint = await rpc.call(WebhooksRpc.endpointsGet, { caller: owner, id: e.id });
    expect(endpoint).toMatchObject({ enabled: true, consecutive_failures: 0, failing_since: null });
  });

  it('disables an endpoint at once on 410, with webhook_endpoint.disabled, and fails the delivery', async () => {
    const tenantId = newTenant();
    const r = (await receiver()).always({ status: 410 });
    const e = await createEndpoint(owner, { tenant_id: tenantId, url: r.url });
    await publish(EventTypes.TenantUpdated, tenantId);
    const disabled = await waitFor(async () => {
      const ep = await rpc.call(WebhooksRpc.endpointsGet, { caller: owner, id: e.id });
      return ep.enabled ? null : ep;
    }, 'endpoint disabled');
    expect(disabled.disabled_reason).toMatch(/410/);
    expect(r.requests).toHaveLength(1);
    const events = await waitFor(async () => {
      const list = await readEvents(await env.nats(), env.prefix, [EventTypes.WebhookEndpointDisabled]);
      return list.find((ev) => ev.data.endpoint_id === e.id);
    }, 'webhook_endpoint.disabled');
    expect(events).toMatchObject({ tenant_id: tenantId, data: { endpoint_id: e.id, tenant_id: tenantId, url: r.url } });
    const d = await deliveries(owner, { endpoint_id: e.id });
    expect(d.results[0]).toMatchObject({ status: 'failed', last_status_code: 410 });

    // A disabled endpoint is not sent events that happen meanwhile; enabling it again clears the failure run.
    const whileDisabled = await publish(EventTypes.TenantUpdated, tenantId);
    await waitFor(async () => (await svc.dataSource.query('SELECT 1 FROM inbox WHERE event_id = $1', [whileDisabled.id])).length === 1, 'event handled');
    r.always({ status: 200 });
    const enabled = await rpc.call(WebhooksRpc.endpointsUpdate, { caller: owner, id: e.id, enabled: true });
    expect(enabled).toMatchObject({ enabled: true, disabled_reason: null, consecutive_failures: 0 });
    const after = await publish(EventTypes.TenantUpdated, tenantId);
    await waitFor(() => r.requests.some((q) => q.headers['webhook-id'] === after.id), 'delivered after enabling');
    expect(r.requests.map((q) => q.headers['webhook-id'])).not.toContain(whileDisabled.id);
  });

  it('disables an endpoint after N consecutive failures, and mails the owner (a tenant this service saw no event of: read once from tenants)', async () => {
    const tenantId = newTenant();
    tenants.tenant(tenantId, { name: 'Quiet Corp', owner_id: owner.actor.id!, contact_email: null });
    const r = (await receiver()).always({ status: 500 });
    const e = await createEndpoint(owner, { tenant_id: tenantId, url: r.url });
    await publish(EventTypes.TenantUpdated, tenantId);
    // Two events in one millisecond share occurred_at, and the list below orders by it alone.
    await new Promise((r) => setTimeout(r, 5));
    await publish(EventTypes.TenantUpdated, tenantId);
    const ep = await waitFor(async () => {
      const x = await rpc.call(WebhooksRpc.endpointsGet, { caller: owner, id: e.id });
      return x.enabled ? null : x;
    }, 'disabled after 6 failures', 20_000);
    expect(ep.disabled_reason).toBe('6 failed attempts in a row');
    expect(r.requests).toHaveLength(6);
    // The first delivery used its 4 attempts and failed; the second was at its 2nd when the endpoint went.
    const all = await deliveries(owner, { endpoint_id: e.id, ordering: 'occurred_at' });
    expect(all.results.map((d) => d.status)).toEqual(['failed', 'pending']);

    const [mail] = await waitFor(() => (mailsAbout(e.id).length ? mailsAbout(e.id) : null), 'the mail to the owner');
    expect(mail!.to).toBe(ownerEmail);
    expect(mail!.text).toContain('Why: 6 failed attempts in a row.\nFailed attempts in a row: 6 (the first at');
    expect(mail!.text).toContain('of your tenant Quiet Corp');
    expect(tenants.gets).toContain(tenantId);
  });

  it('mails the tenant’s owner when an endpoint is disabled: which endpoint (its URL without secrets), why (410), and how to enable it again', async () => {
    const tenantId = newTenant();
    // The tenant as the tenants service announced it: its owner and billing contact are projected from the event.
    await publish(EventTypes.TenantCreated, tenantId, { name: 'Acme Hooks', slug: 'acme-hooks', owner_id: owner.actor.id, contact_email: 'billing@acme.example', status: 'pending' });
    await waitFor(async () => (await svc.dataSource.query('SELECT 1 FROM webhook_tenant_contacts WHERE tenant_id = $1', [tenantId])).length === 1, 'tenant projected');
    const r = (await receiver()).always({ status: 410 });
    const secretUrl = `${r.url}?token=s3cr3t-t0ken-value&v=2`;
    const e = await createEndpoint(owner, { tenant_id: tenantId, url: secretUrl, description: 'billing sync' });
    await publish(EventTypes.TenantUpdated, tenantId);
    const [mail, ...more] = await waitFor(() => (mailsAbout(e.id).length ? mailsAbout(e.id) : null), 'the mail to the owner');
    expect(more).toHaveLength(0);
    expect(mail!.to).toBe(ownerEmail);
    expect(mail!.subject).toBe(`Webhook endpoint disabled: ${r.url}?token=…&v=…`);
    expect(mail!.text).toContain(`Endpoint: ${e.id}`);
    expect(mail!.text).toContain(`URL: ${r.url}?token=…&v=…`);
    expect(mail!.text).toContain('Description: billing sync');
    expect(mail!.text).toContain(`Tenant: Acme Hooks (${tenantId})`);
    expect(mail!.text).toContain('Why: the endpoint answered 410 Gone.\nFailed attempts in a row: 1');
    expect(mail!.text).toContain(`PUT https://console.example.com/api/v1/webhooks/endpoints/${e.id}\n  {"enabled": true}`);
    expect(mail!.text).toContain(`POST https://console.example.com/api/v1/webhooks/endpoints/${e.id}/recover`);
    expect(`${mail!.subject}${mail!.text}`).not.toContain('s3cr3t');

    // The owner's account address wins over the billing contact; an owner identity does not know (or deactivated) leaves the contact.
    const orphan = newTenant();
    const gone = randomUUID();
    await publish(EventTypes.TenantCreated, orphan, { name: 'Orphan', slug: 'orphan', owner_id: gone, contact_email: 'billing@orphan.example', status: 'pending' });
    await waitFor(async () => (await svc.dataSource.query('SELECT 1 FROM webhook_tenant_contacts WHERE tenant_id = $1', [orphan])).length === 1, 'orphan projected');
    const e2 = await createEndpoint(owner, { tenant_id: orphan, url: r.url });
    await publish(EventTypes.TenantUpdated, orphan);
    const [contactMail] = await waitFor(() => (mailsAbout(e2.id).length ? mailsAbout(e2.id) : null), 'the mail to the billing contact');
    expect(contactMail!.to).toBe('billing@orphan.example');
  });

  it('mails a disabled platform endpoint to WEBHOOKS_PLATFORM_ALERT_EMAILS only, never to a tenant’s owner', async () => {
    const tenantId = newTenant();
    await publish(EventTypes.TenantCreated, tenantId, { name: 'Bystander', slug: 'bystander', owner_id: owner.actor.id, contact_email: null, status: 'pending' });
    const r = (await receiver()).always({ status: 410 });
    const p = await createEndpoint(admin, { url: r.url, event_types: ['tenant.updated'] });
    await publish(EventTypes.TenantUpdated, tenantId);
    const mails = await waitFor(() => (mailsAbout(p.id).length === 2 ? mailsAbout(p.id) : null), 'the mails to the operators');
    expect(mails.map((m) => m.to).sort()).toEqual(['oncall@example.com', 'ops@example.com']);
    expect(mails[0]!.text).toContain('The platform webhook endpoint below was disabled');
    expect(mails[0]!.text).not.toContain('Tenant:');
    expect(readMailDir(mailDir).filter((m) => m.text.includes(p.id) && m.to === ownerEmail)).toHaveLength(0);
  });

  it('keeps delivering to other endpoints while one hangs until its timeout', async () => {
    const tenantId = newTenant();
    const dead = (await receiver()).always('hang');
    const live = await receiver();
    await createEndpoint(owner, { tenant_id: tenantId, url: dead.url });
    await createEndpoint(owner, { tenant_id: tenantId, url: live.url });
    const started = Date.now();
    for (let i = 0; i < 5; i++) await publish(EventTypes.TenantUpdated, tenantId, { n: i });
    await waitFor(() => live.requests.length === 5, 'live endpoint got all five', 10_000);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(dead.requests.length).toBe(1);
    // In event order.
    expect(live.requests.map((q) => JSON.parse(q.body).data.n)).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps an endpoint’s order through a backlog and a failed attempt in its middle: nothing after it goes first', async () => {
    const tenantId = newTenant();
    const r = (await receiver()).answer({ status: 200 }, { status: 200 }, { status: 200 }, { status: 500 });
    await createEndpoint(owner, { tenant_id: tenantId, url: r.url });
    for (let i = 0; i < 40; i++) await publish(EventTypes.TenantUpdated, tenantId, { n: i });
    await waitFor(() => r.requests.length === 41, 'forty events and one retry', 15_000);
    const order = r.requests.map((q) => JSON.parse(q.body).data.n as number);
    expect(order).toEqual([0, 1, 2, 3, ...Array.from({ length: 37 }, (_, i) => i + 3)]);
    // The retry is the same message: the same webhook-id as the attempt that failed.
    expect(r.requests[4]!.headers['webhook-id']).toBe(r.requests[3]!.headers['webhook-id']);
  });

  it('keeps to an endpoint’s rate limit', async () => {
    const tenantId = newTenant();
    const r = await receiver();
    await createEndpoint(owner, { tenant_id: tenantId, url: r.url, rate_limit: 5 });
    for (let i = 0; i < 4; i++) await publish(EventTypes.TenantUpdated, tenantId, { n: i });
    await waitFor(() => r.requests.length === 4, 'four deliveries', 10_000);
    // 5/s: requests start 200 ms apart at the sender. Arrival times carry the network's (and a
    // loaded machine's) jitter, so one late arrival shortens the next gap: the span is what counts.
    const gaps = r.requests.slice(1).map((q, i) => q.at - r.requests[i]!.at);
    expect(r.requests[3]!.at - r.requests[0]!.at).toBeGreaterThanOrEqual(3 * 200 - 30);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(140);
  });

  it('signs with the old and the new secret during the grace period after a rotation', async () => {
    const tenantId = newTenant();
    const r = await receiver();
    const e = await createEndpoint(owner, { tenant_id: tenantId, url: r.url });
    const rotated = await rpc.call(WebhooksRpc.endpointsRotateSecret, { caller: owner, id: e.id });
    expect(rotated.secret).not.toBe(e.secret);
    await publish(EventTypes.TenantUpdated, tenantId);
    await waitFor(() => r.requests.length === 1, 'delivery');
    const q = r.requests[0]!;
    expect(String(q.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(() => new Webhook(rotated.secret).verify(q.body, q.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(e.secret).verify(q.body, q.headers as Record<string, string>)).not.toThrow();
  });

  it('sends a test message, retries a failed delivery on request, and recovers failures since a time', async () => {
    const tenantId = newTenant();
    const r = (await receiver()).answer({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const e = await createEndpoint(owner, { tenant_id: tenantId, url: r.url });
    const since = new Date(Date.now() - 1000).toISOString();
    const event = await publish(EventTypes.TenantUpdated, tenantId);
    const failed = await waitFor(async () => (await deliveries(owner, { endpoint_id: e.id, status: 'failed' })).results[0], 'failed after 4 attempts', 15_000);
    expect(failed.attempts).toHaveLength(4);

    const retried = await rpc.call(WebhooksRpc.deliveriesRetry, { caller: owner, id: failed.id });
    expect(retried.status).toBe('pending');
    await waitFor(async () => (await deliveries(owner, { endpoint_id: e.id, status: 'succeeded' })).results[0], 'retried delivery succeeded');
    expect(r.requests.filter((q) => q.headers['webhook-id'] === event.id)).toHaveLength(5);
    expect(await rejection(rpc.call(WebhooksRpc.deliveriesRetry, { caller: stranger, id: failed.id }))).toMatchObject({ status: 404, code: 'WEBHOOK_DELIVERY_NOT_FOUND' });

    // Recover: another failure run, then a replay of everything failed since `since`.
    r.answer({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const second = await publish(EventTypes.TenantUpdated, tenantId);
    await waitFor(async () => (await deliveries(owner, { endpoint_id: e.id, status: 'failed' })).results[0], 'second failed', 15_000);
    const recovered = await rpc.call(WebhooksRpc.endpointsRecover, { caller: owner, id: e.id, since });
    expect(recovered.requeued).toBe(1);
    await waitFor(async () => (await deliveries(owner, { endpoint_id: e.id, status: 'succeeded' })).count === 2, 'recovered');
    expect(r.requests.filter((q) => q.headers['webhook-id'] === second.id)).toHaveLength(5);

    const test = await rpc.call(WebhooksRpc.endpointsTest, { caller: owner, id: e.id });
    expect(test.event_type).toBe('webhook.test');
    await waitFor(() => r.requests.some((q) => q.headers['webhook-id'] === test.webhook_id), 'test message');
    const q = r.requests.find((x) => x.headers['webhook-id'] === test.webhook_id)!;
    expect(new Webhook(e.secret).verify(q.body, q.headers as Record<string, string>)).toMatchObject({ type: 'webhook.test', data: { endpoint_id: e.id } });
  });

  it('shares the work between two replicas without sending any message twice', async () => {
    const second = await bootstrapService({
      service: 'webhooks',
      module: AppModule,
      entities: webhooksEntities,
      migrations: webhooksMigrations,
      configSchema: webhooksConfigSchema,
      env: env.env({ WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_MS: '50' }),
    });
    try {
      const tenantId = newTenant();
      const rs = await Promise.all(Array.from({ length: 8 }, () => receiver()));
      const eps = [];
      for (const r of rs) eps.push(await createEndpoint(owner, { tenant_id: tenantId, url: r.url, event_types: ['tenant.updated'] }));
      for (let i = 0; i < 10; i++) await publish(EventTypes.TenantUpdated, tenantId, { n: i });
      await waitFor(async () => (await deliveries(owner, { tenant_id: tenantId, status: 'succeeded', page_size: 100 })).count === 80, 'all 80 delivered', 20_000);
      for (const r of rs) {
        const ids = r.requests.map((q) => q.headers['webhook-id']);
        expect(ids).toHaveLength(10);
        expect(new Set(ids).size).toBe(10);
        // Every event once. (Order is by event time among queued deliveries; two consumer replicas may
        // queue two events of one tenant in the same instant in either order — see ADR 0010.)
        expect(r.requests.map((q) => JSON.parse(q.body).data.n as number).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      }
    } finally {
      await second.shutdown();
    }
  });

  it('sends a delivery leased by a replica that is gone at once, and leaves one leased by a live replica alone', async () => {
    const tenantId = newTenant();
    const r = await receiver();
    const e = await createEndpoint(owner, { tenant_id: tenantId, url: r.url, event_types: ['tenant.updated'] });
    const namespace = leaseNamespace((svc.dataSource.options as { schema?: string }).schema ?? 'public');
    // A "replica" of the test's own: its lease-owner lock on a session of its own, as LeaseOwner holds one.
    const replica = await env.pg();
    await replica.query('SELECT pg_advisory_lock($1::int, $2::int)', [namespace, 424242]);
    const leased = async (owner: number) => {
      const eventId = randomUUID();
      await svc.dataSource.query(
        `INSERT INTO webhook_deliveries (id, endpoint_id, tenant_id, event_id, event_type, body, status, attempts_count, next_attempt_at, occurred_at, created_at, locked_until, locked_by)
         VALUES (gen_random_uuid(), $1, $2, $3, 'tenant.updated', '{"type":"tenant.updated"}', 'pending', 0, now(), now(), now(), now() + interval '1 hour', $4)`,
        [e.id, tenantId, eventId, owner],
      );
      return eventId;
    };
    const held = await leased(424242);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Ten polls later: the live replica's lease holds (it may be sending it now).
    expect(r.requests).toHaveLength(0);
    // The replica dies (its session ends, and its lock with it): its delivery goes out at once, not in an hour.
    await replica.end();
    await waitFor(() => r.requests.some((q) => q.headers['webhook-id'] === held), 'the dead replica’s delivery sent', 5_000);
    // A lease of an owner that never held a lock here (a replica killed before this one started) is free too.
    const orphaned = await leased(171717);
    await waitFor(() => r.requests.some((q) => q.headers['webhook-id'] === orphaned), 'the orphaned delivery sent', 5_000);
  });

  it('opens its LISTEN session again when Postgres ends it', async () => {
    const queue = svc.app.get(DeliveryQueue);
    const before = await svc.dataSource.query(`SELECT pid FROM pg_stat_activity WHERE application_name = 'webhooks-queue-listener' AND datname = current_database()`);
    expect(before).toHaveLength(1);
    await svc.dataSource.query('SELECT pg_terminate_backend($1)', [before[0].pid]);
    await waitFor(async () => {
      const now = await svc.dataSource.query(`SELECT pid FROM pg_stat_activity WHERE application_name = 'webhooks-queue-listener' AND datname = current_database()`);
      return now.length === 1 && now[0].pid !== before[0].pid && queue.listening;
    }, 'the LISTEN session back', 10_000);
    // And NOTIFYs wake the workers through it again: a new event goes out.
    const tenantId = newTenant();
    const r = await receiver();
    await createEndpoint(owner, { tenant_id: tenantId, url: r.url, event_types: ['tenant.updated'] });
    await publish(EventTypes.TenantUpdated, tenantId, { n: 1 });
    await waitFor(() => r.requests.length === 1, 'delivered after the LISTEN session came back');
  });

  it('deletes finished deliveries past the retention, keeping pending and recent ones', async () => {
    const tenantId = newTenant();
    const r = await receiver();
    const e = await createEndpoint(owner, { tenant_id: tenantId, url: r.url });
    await publish(EventTypes.TenantUpdated, tenantId);
    const done = await waitFor(async () => (await deliveries(owner, { endpoint_id: e.id, status: 'succeeded' })).results[0], 'delivered');
    await svc.dataSource.query(`UPDATE webhook_deliveries SET completed_at = now() - interval '31 days' WHERE id = $1`, [done.id]);
    await svc.dataSource.query('UPDATE webhook_endpoints SET enabled = false WHERE id = $1', [e.id]);
    await publish(EventTypes.TenantUpdated, tenantId); // not queued: disabled
    const pruned = await svc.app.get(DeliveryRetention).prune();
    expect(pruned.deliveries).toBeGreaterThanOrEqual(1);
    expect((await deliveries(owner, { endpoint_id: e.id })).count).toBe(0);
    expect(await svc.dataSource.query('SELECT 1 FROM webhook_attempts WHERE delivery_id = $1', [done.id])).toHaveLength(0);
    const others = await deliveries(admin, { status: 'succeeded', page_size: 100 });
    expect(others.count).toBeGreaterThan(0);
  });

  it('lists the catalogued event types with the schemas the contracts have', async () => {
    const types = await rpc.call(WebhooksRpc.eventTypes, {});
    const byType = new Map(types.results.map((t) => [t.type, t]));
    expect(byType.has('tenant.created')).toBe(true);
    expect(byType.has('tenant.ready')).toBe(true);
    expect(byType.get('webhook_endpoint.disabled')?.schema).toMatchObject({ properties: { endpoint_id: { type: 'string', format: 'uuid' } } });
  });
});
