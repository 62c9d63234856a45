import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, OperationFailedError, SaasClient, type TenantStatus } from '@saas/sdk';
import { TestPlatform } from '@saas/testing';

/**
 * The TypeScript SDK (libs/sdk) against the real platform: login and a rotation-aware refresh shared
 * by concurrent requests, API keys, pagination over `next`, Idempotency-Key on creates, waiting for an
 * operation with its progress, and problems as ApiError with their code.
 */
describe('the TypeScript SDK against the platform (e2e)', () => {
  let platform: TestPlatform;
  let admin: SaasClient;
  const password = 'Sdk-User-Password-42';
  let email: string;

  beforeAll(async () => {
    // backups too: a deletion waits for the tenant's final backup.
    platform = await TestPlatform.start('sdk_e2e', { services: ['identity', 'tenants', 'provisioning', 'backups'], env: { BACKUP_POLL_MS: '100' } });
    admin = new SaasClient({ baseUrl: platform.baseUrl });
    await admin.login(platform.admin);
    email = `sdk-${platform.runId}@example.com`;
    await admin.unwrap(admin.api.POST('/api/v1/users', { body: { email, password, full_name: 'Sdk User', tier: 'premium', email_verified: true } }));
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  }, 120_000);

  it('logs in, and refreshes once for all concurrent requests when the access token is refused', async () => {
    const first = new SaasClient({ baseUrl: platform.baseUrl });
    const tokens = await first.login({ username: email, password });
    expect(tokens.user.email).toBe(email);

    let refreshes = 0;
    const rotated: string[] = [];
    const sdk = new SaasClient({
      baseUrl: platform.baseUrl,
      // A stale access token: every request's first try is a 401.
      tokens: { access_token: 'stale.access.token', refresh_token: tokens.refresh_token },
      onTokens: (t) => rotated.push(t.refresh_token!),
      fetch: (input, init) => {
        if (String(input instanceof Request ? input.url : input).endsWith('/api/v1/auth/refresh')) refreshes++;
        return fetch(input, init);
      },
    });
    const answers = await Promise.all(Array.from({ length: 5 }, () => sdk.unwrap(sdk.api.GET('/api/v1/auth/me'))));
    expect(answers.map((me) => me.email)).toEqual(Array(5).fill(email));
    expect(refreshes).toBe(1);
    expect(rotated).toHaveLength(1);
    expect(rotated[0]).not.toBe(tokens.refresh_token);
    // The old refresh token is spent: using it again is reuse, and the platform says so with a code.
    const replay = new SaasClient({ baseUrl: platform.baseUrl, tokens: { access_token: 'stale', refresh_token: tokens.refresh_token } });
    await expect(replay.refresh()).rejects.toMatchObject({ name: 'ApiError', status: 401 });
  });

  it('creates a tenant with an Idempotency-Key, waits for it with its progress, pages and deletes it', async () => {
    const sdk = new SaasClient({ baseUrl: platform.baseUrl });
    await sdk.login({ email, password });
    const key = `sdk-create-${platform.runId}`;
    const op = sdk.tenants.create({ name: 'Sdk Corp', subdomain: `sdk-${platform.runId}` }, { idempotencyKey: key });
    const created = await op;
    expect(created).toMatchObject({ name: 'Sdk Corp', status: 'pending' });
    // The same key replays the first answer instead of creating a second tenant.
    expect((await sdk.tenants.create({ name: 'Sdk Corp', subdomain: `sdk-${platform.runId}` }, { idempotencyKey: key })).id).toBe(created.id);

    const seen: TenantStatus[] = [];
    const active = await op.untilActive({ timeoutMs: 60_000, onProgress: (s) => seen.push(s) });
    expect(active).toMatchObject({ status: 'active', progress: 100 });
    expect(seen.at(-1)?.status).toBe('active');

    const second = await sdk.tenants.create({ name: 'Sdk Second', subdomain: `sdk2-${platform.runId}` }).untilActive({ timeoutMs: 60_000 });
    const ids: string[] = [];
    for await (const t of sdk.iterate(sdk.tenants.list({ page_size: 1 }))) ids.push(t.id);
    expect(ids.sort()).toEqual([created.id, second.id].sort());

    await expect(sdk.tenants.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'TENANT_NOT_FOUND', status: 404 });
    const invalid = await sdk.tenants.create({ name: 'x' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ApiError);
    expect((invalid as ApiError).code).toBe('VALIDATION_FAILED');
    expect((invalid as ApiError).fieldErrors.map((e) => e.field)).toContain('name');

    await sdk.tenants.delete(created.id).untilDeleted({ timeoutMs: 60_000 });
    await sdk.tenants.delete(second.id).untilDeleted({ timeoutMs: 60_000 });
    expect(OperationFailedError).toBeDefined();
  });

  it('authenticates with an API key', async () => {
    const sdk = new SaasClient({ baseUrl: platform.baseUrl });
    await sdk.login({ email, password });
    const created = await sdk.unwrap(sdk.api.POST('/api/v1/api-keys', { body: { name: 'sdk' } }));
    const byKey = new SaasClient({ baseUrl: platform.baseUrl, apiKey: created.key });
    expect((await byKey.unwrap(byKey.api.GET('/api/v1/auth/me'))).email).toBe(email);
    const stranger = new SaasClient({ baseUrl: platform.baseUrl, apiKey: 'sk_nothing_here' });
    await expect(stranger.unwrap(stranger.api.GET('/api/v1/auth/me'))).rejects.toMatchObject({ status: 401 });
  });
});
