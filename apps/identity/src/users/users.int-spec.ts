import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  IdentityRpc,
  type ApiKeyPrincipal,
  type ApiKeyView,
  type CreatedApiKeyView,
  type ListResult,
  type TokenResponse,
  type UserView,
} from '@saas/contracts';
import { failure, IdentityHarness, STRONG_PASSWORD } from '../../test/identity-harness.js';

jest.setTimeout(60_000);

describe('identity users and API keys over RPC', () => {
  let h: IdentityHarness;

  beforeAll(async () => {
    h = await IdentityHarness.start('identity_users');
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('lets a user read and edit only their own record, never their role or active flag', async () => {
    const alice = await h.signUp('alice@example.com');
    const bob = await h.signUp('bob@example.com');

    const me = await h.call<UserView>(IdentityRpc.usersGet, { caller: alice.caller, id: alice.tokens.user.id });
    expect(me).toMatchObject({ email: 'alice@example.com', role: 'user', is_active: true, email_verified: true, metadata: {} });
    expect(Object.keys(me).sort()).toEqual(
      ['created_at', 'email', 'email_verified', 'first_name', 'full_name', 'id', 'is_active', 'last_login', 'last_name', 'metadata', 'name', 'role', 'roles', 'tier', 'tier_override', 'tier_source', 'updated_at', 'username'].sort(),
    );

    const other = await failure(h.call(IdentityRpc.usersGet, { caller: alice.caller, id: bob.tokens.user.id }));
    expect([other.code, other.status]).toEqual(['USER_NOT_FOUND', 404]);
    expect((await failure(h.call(IdentityRpc.usersUpdate, { caller: alice.caller, id: bob.tokens.user.id, first_name: 'X' }))).code).toBe('USER_NOT_FOUND');
    expect((await failure(h.call(IdentityRpc.usersList, { caller: alice.caller }))).code).toBe('FORBIDDEN');

    const raise = await failure(h.call(IdentityRpc.usersUpdate, { caller: alice.caller, id: alice.tokens.user.id, role: 'admin' }));
    expect([raise.code, raise.status]).toEqual(['FORBIDDEN', 403]);
    expect((await failure(h.call(IdentityRpc.usersUpdate, { caller: alice.caller, id: alice.tokens.user.id, is_active: true }))).code).toBe('FORBIDDEN');
    // auth/me has no such fields at all.
    expect((await failure(h.call(IdentityRpc.updateMe, { caller: alice.caller, role: 'admin' }))).errors).toEqual([{ field: 'role', message: 'unknown field' }]);
    // A forged admin role in the caller does not help: the database says user.
    const forged = { ...alice.caller, roles: ['admin'] };
    expect((await failure(h.call(IdentityRpc.usersGet, { caller: forged, id: bob.tokens.user.id }))).code).toBe('USER_NOT_FOUND');

    const edited = await h.call<UserView>(IdentityRpc.updateMe, { caller: alice.caller, full_name: 'Alice Liddell', username: 'alice', metadata: { team: 'wonder' } });
    expect(edited).toMatchObject({ first_name: 'Alice', last_name: 'Liddell', username: 'alice', metadata: { team: 'wonder' } });
    await expect(h.call<TokenResponse>(IdentityRpc.login, { username: 'ALICE', password: STRONG_PASSWORD })).resolves.toHaveProperty('access_token');
    expect((await failure(h.call(IdentityRpc.updateMe, { caller: bob.caller, username: 'alice' }))).code).toBe('USER_CONFLICT');
  });

  it('gives admins full user management; deactivation ends sessions and API keys', async () => {
    const admin = await h.admin();
    const created = await h.call<UserView>(IdentityRpc.usersCreate, {
      caller: admin,
      email: 'carol@example.com',
      password: STRONG_PASSWORD,
      first_name: 'Carol',
      last_name: 'Danvers',
      email_verified: true,
      metadata: { dept: 'ops' },
    });
    expect(created).toMatchObject({ email: 'carol@example.com', role: 'user', is_active: true, email_verified: true });
    expect((await failure(h.call(IdentityRpc.usersCreate, { caller: admin, email: 'CAROL@example.com', password: STRONG_PASSWORD }))).code).toBe('USER_CONFLICT');

    const list = await h.call<ListResult<UserView>>(IdentityRpc.usersList, { caller: admin, search: 'carol', page: 1, page_size: 10 });
    expect(list.results.map((u) => u.email)).toEqual(['carol@example.com']);

    const carolTokens = await h.login('carol@example.com');
    const carol = await h.callerOf(carolTokens);
    const key = await h.call<CreatedApiKeyView>(IdentityRpc.apiKeysCreate, { caller: carol, name: 'ci' });
    await expect(h.call(IdentityRpc.apiKeysVerify, { key: key.key })).resolves.toMatchObject({ user_id: created.id });

    const deactivated = await h.call<UserView>(IdentityRpc.usersUpdate, { caller: admin, id: created.id, is_active: false });
    expect(deactivated.is_active).toBe(false);
    expect((await failure(h.call(IdentityRpc.refresh, { refresh_token: carolTokens.refresh_token }))).code).toBe('INVALID_TOKEN');
    expect((await failure(h.call(IdentityRpc.apiKeysVerify, { key: key.key }))).code).toBe('UNAUTHORIZED');
    expect((await failure(h.login('carol@example.com'))).code).toBe('INVALID_CREDENTIALS');
    // Her still-unexpired access token no longer works at identity, and she cannot reactivate herself.
    expect((await failure(h.call(IdentityRpc.me, { caller: carol }))).code).toBe('UNAUTHORIZED');
    expect((await failure(h.call(IdentityRpc.usersUpdate, { caller: carol, id: created.id, is_active: true }))).status).toBe(401);

    const keys = await h.call<ListResult<ApiKeyView>>(IdentityRpc.apiKeysList, { caller: admin, user_id: created.id });
    expect(keys.results[0]!.revoked_at).not.toBeNull();

    // Reactivated by an admin: sessions stay ended, new logins work.
    await h.call(IdentityRpc.usersUpdate, { caller: admin, id: created.id, is_active: true, role: 'admin', tier: 'premium' });
    const again = await h.login('carol@example.com');
    expect(await h.verify(again.access_token)).toMatchObject({ roles: ['admin'], tier: 'premium' });

    await expect(h.call(IdentityRpc.usersDelete, { caller: admin, id: created.id })).resolves.toEqual({ deleted: true, id: created.id });
    expect((await failure(h.call(IdentityRpc.usersGet, { caller: admin, id: created.id }))).code).toBe('USER_NOT_FOUND');
    expect((await failure(h.call(IdentityRpc.usersDelete, { caller: admin, id: (await h.verify((await h.login('root@example.com', STRONG_PASSWORD, '198.51.100.1')).access_token)).sub }))).code).toBe('FORBIDDEN');
  });

  it('creates API keys shown once, lists them by prefix only, verifies and revokes them', async () => {
    const dave = await h.signUp('dave@example.com');
    const eve = await h.signUp('eve@example.com');
    const created = await h.call<CreatedApiKeyView>(IdentityRpc.apiKeysCreate, { caller: dave.caller, name: 'deploy bot', scopes: ['tenants:read'] });
    expect(created.key).toMatch(/^sk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);

    const principal = await h.call<ApiKeyPrincipal>(IdentityRpc.apiKeysVerify, { key: created.key });
    expect(principal).toEqual({ api_key_id: created.id, user_id: dave.tokens.user.id, email: 'dave@example.com', roles: ['user'], tier: 'standard', tenant_id: null, scopes: ['tenants:read'] });

    const list = await h.call<ListResult<ApiKeyView>>(IdentityRpc.apiKeysList, { caller: dave.caller });
    expect(list.count).toBe(1);
    expect(list.results[0]).toMatchObject({ id: created.id, prefix: created.prefix, name: 'deploy bot' });
    expect(list.results[0]!.last_used_at).not.toBeNull();
    expect(JSON.stringify(list)).not.toContain(created.key.slice(12));
    // `search` over the key's name and prefix (it used to be accepted and ignored).
    expect((await h.call<ListResult<ApiKeyView>>(IdentityRpc.apiKeysList, { caller: dave.caller, search: 'DEPLOY' })).count).toBe(1);
    expect((await h.call<ListResult<ApiKeyView>>(IdentityRpc.apiKeysList, { caller: dave.caller, search: 'nightly' })).count).toBe(0);

    const db = await h.env.pg();
    try {
      const { rows } = await db.query(`SELECT secret_hash FROM identity.api_keys WHERE id = $1`, [created.id]);
      expect(rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0].secret_hash).not.toContain(created.key.slice(12));
    } finally {
      await db.end();
    }

    const wrongSecret = created.key.slice(0, -4) + (created.key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await failure(h.call(IdentityRpc.apiKeysVerify, { key: wrongSecret }))).code).toBe('UNAUTHORIZED');
    expect((await failure(h.call(IdentityRpc.apiKeysVerify, { key: 'sk_nope' }))).code).toBe('UNAUTHORIZED');
    expect((await failure(h.call(IdentityRpc.apiKeysList, { caller: eve.caller, user_id: dave.tokens.user.id }))).code).toBe('USER_NOT_FOUND');
    expect((await failure(h.call(IdentityRpc.apiKeysRevoke, { caller: eve.caller, id: created.id }))).code).toBe('API_KEY_NOT_FOUND');
    // Binding a key to a tenant the user does not belong to is refused.
    expect((await failure(h.call(IdentityRpc.apiKeysCreate, { caller: dave.caller, name: 'x', tenant_id: '00000000-0000-4000-8000-000000000001' }))).code).toBe('TENANT_NOT_FOUND');

    const revoked = await h.call<ApiKeyView>(IdentityRpc.apiKeysRevoke, { caller: dave.caller, id: created.id });
    expect(revoked.revoked_at).not.toBeNull();
    expect((await failure(h.call(IdentityRpc.apiKeysVerify, { key: created.key }))).code).toBe('UNAUTHORIZED');

    const expiring = await h.call<CreatedApiKeyView>(IdentityRpc.apiKeysCreate, { caller: dave.caller, name: 'short', expires_at: new Date(Date.now() + 1_500).toISOString() });
    await expect(h.call(IdentityRpc.apiKeysVerify, { key: expiring.key })).resolves.toHaveProperty('user_id');
    await new Promise((r) => setTimeout(r, 1_600));
    expect((await failure(h.call(IdentityRpc.apiKeysVerify, { key: expiring.key }))).code).toBe('UNAUTHORIZED');
  });
});
