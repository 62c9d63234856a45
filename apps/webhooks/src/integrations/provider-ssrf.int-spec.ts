import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IntegrationsRpc, type CallerDto } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { TestEnv, WebhookReceiver } from '@saas/testing';
import { AppModule } from '../app.module.js';
import { webhooksConfigSchema } from '../config.js';
import { webhooksEntities } from '../entities.js';
import { webhooksMigrations } from '../migrations/index.js';
import { ProviderHealth } from './provider-health.js';

const admin: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['admin', 'user'] };

async function rejection(p: Promise<unknown>): Promise<DomainException> {
  try {
    await p;
  } catch (e) {
    return e as DomainException;
  }
  throw new Error('expected a rejection');
}

/** Providers' `api_base_url` under the production SSRF rules (private networks not allowed). */
describe('integration providers: SSRF checks of api_base_url (real Postgres + NATS)', () => {
  let env: TestEnv;
  let svc: RunningService;
  let rpc: RpcClient;
  // A local listener that counts TCP connections: a refused address must not get even a handshake.
  const listener = new WebhookReceiver();
  let port: string;

  const createProvider = (body: Record<string, unknown>) =>
    rpc.call(IntegrationsRpc.providersCreate, { caller: admin, name: `p-${randomBytes(4).toString('hex')}`, secret_key: 'long-enough-secret', ...body });

  beforeAll(async () => {
    await listener.start();
    port = new URL(listener.url).port;
    env = await TestEnv.create('integrations_ssrf');
    svc = await bootstrapService({
      service: 'webhooks',
      module: AppModule,
      entities: webhooksEntities,
      migrations: webhooksMigrations,
      configSchema: webhooksConfigSchema,
      // Probes are run by the spec (checkAll), not by the schedule.
      env: env.env({ WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'false', INTEGRATIONS_HEALTH_INTERVAL_S: '3600', INTEGRATIONS_HEALTH_TIMEOUT_MS: '1000' }),
    });
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 5_000);
  });

  afterAll(async () => {
    await svc?.shutdown();
    await listener.stop();
    await env?.cleanup();
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', /link-local/],
    ['http://127.0.0.1:PORT/health', /loopback/],
    ['http://[::ffff:127.0.0.1]:PORT/health', /loopback/],
    ['http://localhost:PORT/health', /public host/],
    ['http://10.0.0.7/api', /private/],
    ['https://user:pass@api.example.com/', /credentials/],
    ['ftp://api.example.com/', /http or https/],
  ])('refuses api_base_url %s at registration and on update with 400 INVALID_PROVIDER_URL', async (url, why) => {
    // PORT: the counting listener's, so a connection made by mistake would show.
    const apiBaseUrl = url.replace('PORT', port);
    const created = await rejection(createProvider({ api_base_url: apiBaseUrl }));
    // The contract's own pattern refuses ftp before the service sees it.
    if (apiBaseUrl.startsWith('ftp:')) expect(created).toMatchObject({ status: 400 });
    else {
      expect(created).toMatchObject({ status: 400, code: 'INVALID_PROVIDER_URL', errors: [{ field: 'api_base_url' }] });
      expect(created.message).toMatch(why);
    }
    const p = await createProvider({});
    const updated = await rejection(rpc.call(IntegrationsRpc.providersUpdate, { caller: admin, id: p.id, api_base_url: apiBaseUrl }));
    expect(updated).toMatchObject({ status: 400 });
    if (!apiBaseUrl.startsWith('ftp:')) expect(updated.code).toBe('INVALID_PROVIDER_URL');
    expect((await rpc.call(IntegrationsRpc.providersGet, { caller: admin, id: p.id })).api_base_url).toBeNull();
    expect(listener.connections).toBe(0);
  });

  it('accepts a public api_base_url, and clearing it', async () => {
    const p = await createProvider({ api_base_url: 'https://93.184.216.34/status', is_active: false });
    expect(p.api_base_url).toBe('https://93.184.216.34/status');
    const cleared = await rpc.call(IntegrationsRpc.providersUpdate, { caller: admin, id: p.id, api_base_url: null });
    expect(cleared.api_base_url).toBeNull();
  });

  it('reports down, with the refusal as its error, a provider whose host resolves to a private address now, without connecting to it', async () => {
    // As DNS rebinding leaves it: registered while its name resolved to a public address, which now points home.
    const byName = await createProvider({});
    const byLiteral = await createProvider({});
    await svc.dataSource.query(`UPDATE integration_providers SET api_base_url = $1 WHERE id = $2`, [`http://localhost:${port}/health`, byName.id]);
    await svc.dataSource.query(`UPDATE integration_providers SET api_base_url = $1 WHERE id = $2`, [`http://127.0.0.1:${port}/health`, byLiteral.id]);

    await svc.app.get(ProviderHealth).checkAll();

    const named = await rpc.call(IntegrationsRpc.providersGet, { caller: admin, id: byName.id });
    expect(named.health).toMatchObject({ status: 'down', response_time_ms: null });
    expect(named.health.error).toMatch(/^refused to connect to localhost: it resolves to (127\.0\.0\.1|::1), a loopback address/);
    const literal = await rpc.call(IntegrationsRpc.providersGet, { caller: admin, id: byLiteral.id });
    expect(literal.health).toMatchObject({ status: 'down', response_time_ms: null });
    expect(literal.health.error).toMatch(/^refused to connect to 127\.0\.0\.1, a loopback address/);
    expect(listener.connections).toBe(0);
    expect(listener.requests).toHaveLength(0);

    // The listener does count: the same URL fetched directly is one connection.
    await fetch(`http://127.0.0.1:${port}/health`);
    expect(listener.connections).toBe(1);
  });
});
