import 'reflect-metadata';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import {
  EventTypes,
  IntegrationsRpc,
  type CallerDto,
  type ProviderView } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { readEvents, TestEnv, waitFor, WebhookReceiver } from '@saas/testing';
import { AppModule } from '../app.module.js';
import { webhooksConfigSchema } from '../config.js';
import { formatSecret } from '../delivery/signing.js';
import { webhooksEntities } from '../entities.js';
import { webhooksMigrations } from '../migrations/index.js';

const admin: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['admin', 'user'] };
const user: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['user'] };

async function rejection(p: Promise<unknown>): Promise<DomainException> {
  try {
    await p;
  } catch (e) {
    return e as DomainException;
  }
  throw new Error('expected a rejection');
}

describe('inbound integrations (real Postgres + NATS)', () => {
  let env: TestEnv;
  let svc: RunningService;
  let rpc: RpcClient;
  const api = new WebhookReceiver();

  const createProvider = (body: Record<string, unknown>) => rpc.callRaw(IntegrationsRpc.providersCreate, { caller: admin, ...body }) as Promise<ProviderView>;
  const receive = (provider: string, raw: string, headers: Record<string, string>, ip = '203.0.113.9') =>
    rpc.call(IntegrationsRpc.receive, { provider, raw_body: raw, headers, source_ip: ip });
  const signStd = (secret: string, id: string, raw: string, at = new Date()) => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, raw),
  });

  beforeAll(async () => {
    await api.start();
    env = await TestEnv.create('integrations');
    svc = await bootstrapService({
      service: 'webhooks',
      module: AppModule,
      entities: webhooksEntities,
      migrations: webhooksMigrations,
      configSchema: webhooksConfigSchema,
      env: env.env({ INTEGRATIONS_HEALTH_INTERVAL_S: '0.2', INTEGRATIONS_HEALTH_TIMEOUT_MS: '1000' }),
    });
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 5_000);
  });

  afterAll(async () => {
    await svc?.shutdown();
    await api.stop();
    await env?.cleanup();
  });

  it('lets admins only manage providers, and never returns the secret', async () => {
    const secret = formatSecret(randomBytes(24));
    const p = await createProvider({ name: `pay-${randomBytes(3).toString('hex')}`, secret_key: secret, auth_type: 'hmac', signature_scheme: 'standard_webhooks', allowed_ips: ['203.0.113.0/24'] });
    expect(p).toMatchObject({ secret_key_set: true, allowed_ips: ['203.0.113.0/24'], is_active: true, health: { status: 'unknown' } });
    expect(JSON.stringify(p)).not.toContain(secret.slice(6));
    expect(await rejection(rpc.call(IntegrationsRpc.providersCreate, { caller: user, name: 'nope', secret_key: 'long-enough-secret' }))).toMatchObject({ status: 403 });
    expect(await rejection(createProvider({ name: p.name, secret_key: 'long-enough-secret' }))).toMatchObject({ status: 409 });
    expect(await rejection(createProvider({ name: 'bad-ips', secret_key: 'long-enough-secret', allowed_ips: ['example.com'] }))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const updated = await rpc.call(IntegrationsRpc.providersUpdate, { caller: admin, id: p.id, rate_limit: 100 });
    expect(updated.rate_limit).toBe(100);
    const list = await rpc.call(IntegrationsRpc.providersList, { caller: admin });
    expect(JSON.stringify(list)).not.toContain(secret.slice(6));
  });

  it('accepts a signed Standard Webhooks call once per event id and publishes it as integration.event_received', async () => {
    const secret = formatSecret(randomBytes(24));
    const name = `pay-${randomBytes(3).toString('hex')}`;
    await createProvider({ name, secret_key: secret, signature_scheme: 'standard_webhooks', allowed_ips: ['203.0.113.0/24'] });
    const raw = JSON.stringify({ type: 'payment.succeeded', data: { amount: 4200, currency: 'EUR' } });
    const id = `msg_${randomBytes(4).toString('hex')}`;
    const first = await receive(name, raw, signStd(secret, id, raw));
    expect(first).toMatchObject({ received: true, duplicate: false });
    const again = await receive(name, raw, signStd(secret, id, raw));
    expect(again).toEqual({ received: true, duplicate: true, id: first.id });

    const published = await waitFor(async () => {
      const evs = (await readEvents(await env.nats(), env.prefix, [EventTypes.IntegrationEventReceived])).filter((e) => e.data.event_id === id);
      return evs.length ? evs : null;
    }, 'integration.event_received');
    expect(published).toHaveLength(1);
    expect(published[0]!.data).toMatchObject({ integration_event_id: first.id, provider: name, type: 'payment.succeeded', payload: { data: { amount: 4200 } } });
    const events = await waitFor(async () => {
      const l = await rpc.call(IntegrationsRpc.eventsList, { caller: admin, provider: name, status: 'processed' });
      return l.count === 1 ? l : null;
    }, 'processed');
    expect(events.results[0]).toMatchObject({ event_id: id, type: 'payment.succeeded', provider: name });

    const retried = await rpc.call(IntegrationsRpc.eventsRetry, { caller: admin, id: first.id });
    expect(retried.status).toBe('received');
    await waitFor(async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.IntegrationEventReceived])).filter((e) => e.data.event_id === id).length === 2, 'republished');
  });

  it('refuses bad or missing signatures and replays outside the tolerance with 401 INVALID_SIGNATURE, other addresses with 403', async () => {
    const secret = formatSecret(randomBytes(24));
    const name = `pay-${randomBytes(3).toString('hex')}`;
    await createProvider({ name, secret_key: secret, allowed_ips: ['203.0.113.0/24'], timestamp_tolerance_s: 60 });
    const raw = JSON.stringify({ type: 'x' });
    expect(await rejection(receive(name, raw, {}))).toMatchObject({ status: 401, code: 'INVALID_SIGNATURE' });
    expect(await rejection(receive(name, raw, signStd(formatSecret(randomBytes(24)), 'msg_a', raw)))).toMatchObject({ status: 401, code: 'INVALID_SIGNATURE' });
    expect(await rejection(receive(name, raw, signStd(secret, 'msg_b', raw, new Date(Date.now() - 120_000))))).toMatchObject({ status: 401, code: 'INVALID_SIGNATURE' });
    expect(await rejection(receive(name, raw.replace('x', 'y'), signStd(secret, 'msg_c', raw)))).toMatchObject({ status: 401 });
    expect(await rejection(receive(name, raw, signStd(secret, 'msg_d', raw), '198.51.100.1'))).toMatchObject({ status: 403, code: 'SOURCE_IP_NOT_ALLOWED' });
    expect(await rejection(receive('no-such-provider', raw, {}))).toMatchObject({ status: 404 });
    const none = await rpc.call(IntegrationsRpc.eventsList, { caller: admin, provider: name });
    expect(none.count).toBe(0);
  });

  it('verifies Stripe-style and plain X-Signature schemes and enforces the rate limit', async () => {
    const stripe = `stripe-${randomBytes(3).toString('hex')}`;
    await createProvider({ name: stripe, secret_key: 'whsec_stripe_test_secret', signature_scheme: 'stripe' });
    const raw = JSON.stringify({ id: 'evt_1', type: 'invoice.paid' });
    const t = Math.floor(Date.now() / 1000);
    const v1 = createHmac('sha256', 'whsec_stripe_test_secret').update(`${t}.${raw}`).digest('hex');
    expect(await receive(stripe, raw, { 'stripe-signature': `t=${t},v1=${v1}` })).toMatchObject({ duplicate: false });
    expect(await rejection(receive(stripe, raw, { 'stripe-signature': `t=${t},v1=${'0'.repeat(64)}` }))).toMatchObject({ status: 401 });

    const plain = `plain-${randomBytes(3).toString('hex')}`;
    await createProvider({ name: plain, secret_key: 'plain-hmac-secret', signature_scheme: 'hmac_sha256', rate_limit: 2 });
    const sig = (body: string) => ({ 'x-signature': createHmac('sha256', 'plain-hmac-secret').update(body).digest('hex') });
    const bodies = [1, 2, 3].map((n) => JSON.stringify({ id: `e${n}`, type: 'ping' }));
    expect(await receive(plain, bodies[0]!, sig(bodies[0]!))).toMatchObject({ duplicate: false });
    expect(await receive(plain, bodies[1]!, sig(bodies[1]!))).toMatchObject({ duplicate: false });
    expect(await rejection(receive(plain, bodies[2]!, sig(bodies[2]!)))).toMatchObject({ status: 429, code: 'RATE_LIMIT_EXCEEDED' });
  });

  it('checks providers’ api_base_url on a schedule and emits a health change', async () => {
    const name = `health-${randomBytes(3).toString('hex')}`;
    const p = await createProvider({ name, secret_key: 'long-enough-secret', api_base_url: api.url });
    await waitFor(async () => (await rpc.call(IntegrationsRpc.providersGet, { caller: admin, id: p.id })).health.status === 'healthy', 'healthy');
    api.always({ status: 503 });
    const down = await waitFor(async () => {
      const h = await rpc.call(IntegrationsRpc.health, { caller: admin });
      const mine = h.providers.find((x) => x.id === p.id);
      return mine?.status === 'down' ? mine : null;
    }, 'down');
    expect(down.error).toBe('HTTP 503');
    const changes = await waitFor(async () => {
      const evs = (await readEvents(await env.nats(), env.prefix, [EventTypes.IntegrationProviderHealthChanged])).filter((e) => e.data.provider_id === p.id);
      return evs.length >= 2 ? evs : null;
    }, 'health events');
    expect(changes.map((e) => [e.data.from, e.data.to])).toEqual([
      ['unknown', 'healthy'],
      ['healthy', 'down'],
    ]);
    expect(await rejection(rpc.call(IntegrationsRpc.health, { caller: user }))).toMatchObject({ status: 403 });
  });
});
