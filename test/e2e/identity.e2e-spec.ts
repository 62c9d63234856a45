import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDecipheriv, createHmac, createPrivateKey, createPublicKey, hkdfSync, randomUUID, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { jetstreamManager } from '@nats-io/jetstream';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { distPath, httpRequest, mailToken, REPO_ROOT, SmtpCatcher, startProcess, startService, TestEnv, waitFor, type HttpResponse, type ManagedProcess } from '@saas/testing';

const ADMIN = { email: 'root@example.com', password: 'Root-Password-Strong-42' };
const PASSWORD = 'Correct-Horse-Battery-42';
const KEY_ENCRYPTION_SECRET = 'e2e-key-encryption-secret-0123456789abcdef';
const ANONYMOUS_LIMIT = 30;

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const withoutVolatile = (body: Record<string, unknown>) => {
  const { timestamp: _t, correlation_id: _c, ...rest } = body;
  return rest;
};

/**
 * The identity flows through the gateway, on the real processes (identity service + gateway from
 * dist, real Postgres, NATS, an SMTP server run here): registration to logout, every JWT attack,
 * refresh-token reuse, brute force vs reset, enumeration, mass assignment, rate limits, audit entries.
 */
describe('identity through the gateway (e2e)', () => {
  let env: TestEnv;
  let smtp: SmtpCatcher;
  let identity: ManagedProcess;
  let gateway: ManagedProcess;
  let baseUrl: string;
  let adminToken: string;

  /** Every scenario speaks from its own client IP (TRUST_PROXY), so anonymous limits stay apart. */
  const call = (method: string, url: string, opts: { ip?: string; token?: string; body?: object; headers?: Record<string, string> } = {}) =>
    httpRequest(baseUrl, {
      method,
      url,
      headers: {
        'x-forwarded-for': opts.ip ?? '198.51.100.200',
        'user-agent': 'identity-e2e',
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      ...(opts.body ? { payload: opts.body } : {}),
    });

  function expectProblem(res: HttpResponse, status: number, code: string): Record<string, unknown> {
    expect({ status: res.statusCode, code: res.json().code }).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    return res.json();
  }

  async function mailTo(email: string, subject: RegExp, after: number): Promise<string> {
    return mailToken(await smtp.waitForMail(email, subject, after));
  }

  async function signUp(email: string, ip: string): Promise<{ access_token: string; refresh_token: string; user: { id: string } }> {
    const before = smtp.mails.length;
    expect((await call('POST', '/api/v1/auth/register', { ip, body: { email, password: PASSWORD, full_name: 'E2E User' } })).statusCode).toBe(202);
    const token = await mailTo(email, /verify/i, before);
    expect((await call('POST', '/api/v1/auth/verify-email', { ip, body: { token } })).statusCode).toBe(200);
    const login = await call('POST', '/api/v1/auth/login', { ip, body: { email, password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    return login.json();
  }

  async function audit(query: string, match: (entry: Record<string, any>) => boolean, what: string): Promise<Record<string, any>> {
    return waitFor(async () => {
      const res = await call('GET', `/api/v1/audit/logs?page_size=100&${query}`, { token: adminToken, ip: '198.51.100.250' });
      expect(res.statusCode).toBe(200);
      return (res.json().results as Array<Record<string, any>>).find(match);
    }, `audit entry: ${what}`);
  }

  /** identity's active signing key, read from its table and decrypted like identity does (to sign "real" bad tokens). */
  async function signingKey(): Promise<{ kid: string; privateKey: KeyObject }> {
    const db = await env.pg();
    try {
      const { rows } = await db.query<{ kid: string; private_key_enc: string }>(`SELECT kid, private_key_enc FROM identity.signing_keys WHERE status = 'active'`);
      const { kid, private_key_enc: enc } = rows[0]!;
      const key = Buffer.from(hkdfSync('sha256', KEY_ENCRYPTION_SECRET, 'saas-control-plane/identity', 'signing-keys/aes-256-gcm', 32));
      const raw = Buffer.from(enc, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(kid));
      decipher.setAuthTag(raw.subarray(12, 28));
      const der = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
      return { kid, privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) };
    } finally {
      await db.end();
    }
  }

  const gatewayEnv = () =>
    env.env({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      TRUST_PROXY: 'true',
      RATE_LIMITS: `anonymous:${ANONYMOUS_LIMIT},standard:1000,admin:50000`,
      RATE_LIMIT_BURST_RATIO: '1',
      API_KEY_CACHE_S: '60',
    });

  beforeAll(async () => {
    execFileSync(process.execPath, ['tools/build.mjs'], { cwd: REPO_ROOT, env: { ...process.env, BUILD_QUIET: '1' } });
    env = await TestEnv.create('identity_e2e');
    smtp = await SmtpCatcher.start();
    identity = await startService(
      'identity',
      env.env({ SMTP_URL: smtp.url, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, KEY_ENCRYPTION_SECRET, LOGIN_LOCK_THRESHOLD: '5' }),
    );
    gateway = startProcess('gateway', distPath('apps', 'gateway', 'src', 'main.js'), gatewayEnv());
    baseUrl = (JSON.parse(await gateway.waitForOutput(/gateway ready/, 30_000)) as { url: string }).url;
    const login = await call('POST', '/api/v1/auth/login', { ip: '198.51.100.250', body: ADMIN });
    expect(login.statusCode).toBe(200);
    adminToken = login.json().access_token;
  }, 120_000);

  afterAll(async () => {
    await gateway?.kill('SIGTERM');
    await identity?.kill('SIGTERM');
    await smtp?.close();
    if (env) {
      const jsm = await jetstreamManager(await env.nats());
      await jsm.streams.delete(`KV_${env.prefix.replace(/[^A-Za-z0-9_-]/g, '_')}gateway_idempotency`).catch(() => undefined);
      await env.cleanup();
    }
  }, 60_000);

  it('register → verify (a real mail) → login → session/me → refresh → logout, with audit entries for each change', async () => {
    const ip = '203.0.113.10';
    const email = `flow-${randomUUID().slice(0, 8)}@example.com`;
    const before = smtp.mails.length;

    const register = await call('POST', '/api/v1/auth/register', { ip, body: { email, password: PASSWORD, full_name: 'Flow User' }, headers: { 'idempotency-key': `reg-${email}` } });
    expect(register.statusCode).toBe(202);
    expect(register.json()).toEqual({ status: 'accepted', message: expect.any(String) });
    const replay = await call('POST', '/api/v1/auth/register', { ip, body: { email, password: PASSWORD, full_name: 'Flow User' }, headers: { 'idempotency-key': `reg-${email}` } });
    expect(replay.statusCode).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    const token = await mailTo(email, /verify/i, before);
    expect((await call('POST', '/api/v1/auth/login', { ip, body: { email, password: 'wrong-password-000' } })).statusCode).toBe(401);
    const verified = await call('POST', '/api/v1/auth/verify-email', { ip, body: { token } });
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toEqual({ email_verified: true });

    const login = await call('POST', '/api/v1/auth/login', { ip, body: { email, password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    const tokens = login.json();
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 900, user: { email, email_verified: true, role: 'user' } });
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const userId: string = tokens.user.id;

    const session = await call('GET', '/api/v1/auth/session', { ip, token: tokens.access_token });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toMatchObject({ authenticated_by: 'access_token', user_id: userId, email, roles: ['user'], tier: 'standard' });
    const me = await call('GET', '/api/v1/auth/me', { ip, token: tokens.access_token });
    expect(me.json()).toMatchObject({ id: userId, email });

    const refreshed = await call('POST', '/api/v1/auth/refresh', { ip, body: { refresh_token: tokens.refresh_token } });
    expect(refreshed.statusCode).toBe(200);
    const next = refreshed.json();
    expect(next.refresh_token).not.toBe(tokens.refresh_token);

    const logout = await call('POST', '/api/v1/auth/logout', { ip, token: next.access_token, body: { refresh_token: next.refresh_token } });
    expect(logout.statusCode).toBe(200);
    expect(logout.json()).toEqual({ sessions_ended: 1 });
    expectProblem(await call('POST', '/api/v1/auth/refresh', { ip, body: { refresh_token: next.refresh_token } }), 401, 'INVALID_TOKEN');
    // The ended session's access tokens stop working at the gateway too, not at their expiry — and
    // at the gateway that carried the logout, already on the very next request (issue 15).
    expectProblem(await call('GET', '/api/v1/auth/session', { ip, token: next.access_token }), 401, 'UNAUTHORIZED');
    for (const ended of [tokens.access_token, next.access_token]) {
      await waitFor(async () => (await call('GET', '/api/v1/auth/session', { ip, token: ended })).statusCode === 401, 'the logged-out token refused');
      expectProblem(await call('GET', '/api/v1/users/me/tenants', { ip, token: ended }), 401, 'UNAUTHORIZED');
    }

    // Seed 002's action words; the event verb (`created`) is accepted as a filter too.
    const created = await audit(`user_id=${userId}&action=create`, (e) => e.event_type === 'user.created' && e.action === 'create', 'user.created');
    await audit(`user_id=${userId}&action=created`, (e) => e.event_type === 'user.created', 'user.created by its verb');
    await audit(`user_id=${userId}&search=user.logged`, (e) => e.event_type === 'user.logged_in' && e.action === 'login', 'search on the event type');
    expect(created).toMatchObject({ resource_type: 'user', resource_id: userId, ip_address: ip, user_agent: 'identity-e2e' });
    await audit(`user_id=${userId}&action=updated`, (e) => e.new_values?.email_verified === true, 'email verified');
    await audit(`user_id=${userId}&action=logged_in`, (e) => e.event_type === 'user.logged_in' && e.ip_address === ip, 'user.logged_in');
    await audit(`user_id=${userId}&action=logged_out`, (e) => e.event_type === 'user.logged_out', 'user.logged_out');
  });

  it('refuses alg none, HS256 with the public key, expired, wrong aud/iss, tampered and refresh tokens with 401', async () => {
    const ip = '203.0.113.20';
    const { access_token: good, refresh_token: refresh } = await signUp(`jwt-${randomUUID().slice(0, 8)}@example.com`, ip);
    expect((await call('GET', '/api/v1/auth/session', { ip, token: good })).statusCode).toBe(200);

    const header = decodeProtectedHeader(good);
    const claims = decodeJwt(good);
    const { kid, privateKey } = await signingKey();
    expect(kid).toBe(header.kid);
    const sign = (over: Record<string, unknown>) =>
      new SignJWT({ ...claims, ...over }).setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' }).sign(privateKey);
    const now = Math.floor(Date.now() / 1000);

    const jwks = (await call('GET', '/.well-known/jwks.json', { ip })).json();
    const pem = createPublicKey({ key: jwks.keys.find((k: { kid: string }) => k.kid === kid), format: 'jwk' }).export({ format: 'pem', type: 'spki' });
    const hsInput = `${b64url({ alg: 'HS256', kid, typ: 'at+jwt' })}.${b64url({ ...claims, roles: ['admin'] })}`;
    const [h, , s] = good.split('.');

    const attacks: Record<string, string> = {
      'alg none': `${b64url({ alg: 'none', kid, typ: 'at+jwt' })}.${b64url({ ...claims, roles: ['admin'] })}.`,
      'HS256 signed with the public key': `${hsInput}.${createHmac('sha256', pem).update(hsInput).digest('base64url')}`,
      expired: await sign({ iat: now - 3600, exp: now - 120 }),
      'wrong aud': await sign({ aud: 'another-api' }),
      'wrong iss': await sign({ iss: 'https://evil.example' }),
      'tampered payload': `${h}.${b64url({ ...claims, roles: ['admin'] })}.${s}`,
      'refresh token as bearer': refresh,
    };
    for (const [attack, token] of Object.entries(attacks)) {
      const res = await call('GET', '/api/v1/auth/session', { ip, token });
      expect({ attack, status: res.statusCode, code: res.json().code }).toEqual({ attack, status: 401, code: 'UNAUTHORIZED' });
      expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
      expect((await call('GET', '/api/v1/admin/users', { ip, token })).statusCode).toBe(401);
    }
    // The same key and claims, properly signed: accepted (so the refusals above are about the attack).
    expect((await call('GET', '/api/v1/auth/session', { ip, token: await sign({}) })).statusCode).toBe(200);
  });

  it('revokes the whole family when a used refresh token is presented again', async () => {
    const ip = '203.0.113.30';
    const tokens = await signUp(`reuse-${randomUUID().slice(0, 8)}@example.com`, ip);
    const second = (await call('POST', '/api/v1/auth/refresh', { ip, body: { refresh_token: tokens.refresh_token } })).json();
    expectProblem(await call('POST', '/api/v1/auth/refresh', { ip, body: { refresh_token: tokens.refresh_token } }), 401, 'INVALID_TOKEN');
    // The newest token of the family is dead too, and so are the session's access tokens.
    expectProblem(await call('POST', '/api/v1/auth/refresh', { ip, body: { refresh_token: second.refresh_token } }), 401, 'INVALID_TOKEN');
    await waitFor(async () => (await call('GET', '/api/v1/auth/session', { ip, token: second.access_token })).statusCode === 401, 'the family\'s access token refused');
    await audit('action=token_reuse_detected', (e) => e.new_values?.user_id === tokens.user.id, 'security.token_reuse_detected');
  });

  it('throttles a brute force on one account while the owner can still reset and sign in', async () => {
    const attacker = '203.0.113.66';
    const owner = '198.51.100.40';
    const email = `victim-${randomUUID().slice(0, 8)}@example.com`;
    const { user } = await signUp(email, owner);

    const outcomes: Array<[number, string]> = [];
    for (let i = 0; i < 12; i++) {
      const res = await call('POST', '/api/v1/auth/login', { ip: attacker, body: { email, password: `guess-${i}-password` } });
      outcomes.push([res.statusCode, res.json().code]);
      if (res.statusCode === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(outcomes.slice(0, 5)).toEqual(Array(5).fill([401, 'INVALID_CREDENTIALS']));
    expect(outcomes.slice(5, 10)).toEqual(Array(5).fill([429, 'ACCOUNT_LOCKED'])); // identity's lockout
    expect(outcomes.slice(10)).toEqual(Array(2).fill([429, 'RATE_LIMIT_EXCEEDED'])); // the gateway's per-account limit
    // Even the right password does not get the attacker in now.
    expect((await call('POST', '/api/v1/auth/login', { ip: attacker, body: { email, password: PASSWORD } })).statusCode).toBe(429);

    const before = smtp.mails.length;
    expect((await call('POST', '/api/v1/auth/password/forgot', { ip: owner, body: { email } })).statusCode).toBe(202);
    const token = await mailTo(email, /reset/i, before);
    const newPassword = 'Another-Strong-Password-77';
    const reset = await call('POST', '/api/v1/auth/password/reset', { ip: owner, body: { token, password: newPassword } });
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toEqual({ password_reset: true });
    expect((await call('POST', '/api/v1/auth/login', { ip: owner, body: { email, password: newPassword } })).statusCode).toBe(200);

    await audit(`user_id=${user.id}&action=password_reset`, (e) => e.event_type === 'user.password_reset', 'user.password_reset');
    await audit('action=account_locked', (e) => e.new_values?.user_id === user.id, 'security.account_locked');
  });

  it('answers identically whether or not an account exists (register, forgot, resend, login)', async () => {
    const ip = '203.0.113.40';
    const existing = `known-${randomUUID().slice(0, 8)}@example.com`;
    await signUp(existing, ip);
    const unknown = `unknown-${randomUUID().slice(0, 8)}@example.com`;
    const same = async (url: string, a: object, b: object) => {
      const [x, y] = [await call('POST', url, { ip, body: a }), await call('POST', url, { ip, body: b })];
      expect(x.statusCode).toBe(y.statusCode);
      expect(withoutVolatile(x.json())).toEqual(withoutVolatile(y.json()));
      return x;
    };
    expect((await same('/api/v1/auth/register', { email: existing, password: PASSWORD, full_name: 'X' }, { email: unknown, password: PASSWORD, full_name: 'X' })).statusCode).toBe(202);
    expect((await same('/api/v1/auth/password/forgot', { email: existing }, { email: `other-${unknown}` })).statusCode).toBe(202);
    expect((await same('/api/v1/auth/resend-verification', { email: existing }, { email: `third-${unknown}` })).statusCode).toBe(202);
    const login = await same('/api/v1/auth/login', { email: existing, password: 'not-the-password-1' }, { email: `nobody-${unknown}`, password: 'not-the-password-1' });
    expectProblem(login, 401, 'INVALID_CREDENTIALS');
  });

  it('does not let a user change their own role or is_active, nor read another user', async () => {
    const ip = '203.0.113.50';
    const me = await signUp(`self-${randomUUID().slice(0, 8)}@example.com`, ip);
    const other = await signUp(`other-${randomUUID().slice(0, 8)}@example.com`, ip);
    const token = me.access_token;

    expectProblem(await call('PATCH', `/api/v1/users/${me.user.id}`, { ip, token, body: { role: 'admin' } }), 403, 'FORBIDDEN');
    expectProblem(await call('PATCH', `/api/v1/users/${me.user.id}`, { ip, token, body: { is_active: false } }), 403, 'FORBIDDEN');
    const massAssign = expectProblem(await call('PATCH', '/api/v1/auth/me', { ip, token, body: { full_name: 'Me', role: 'admin' } }), 400, 'VALIDATION_FAILED');
    expect(massAssign.errors).toEqual([{ field: 'role', message: 'unknown field' }]);
    expectProblem(await call('GET', `/api/v1/users/${other.user.id}`, { ip, token }), 404, 'USER_NOT_FOUND');
    expect((await call('GET', `/api/v1/users/${me.user.id}`, { ip, token })).json()).toMatchObject({ id: me.user.id, role: 'user', is_active: true });
    expectProblem(await call('GET', '/api/v1/admin/users', { ip, token }), 403, 'FORBIDDEN');
    expect((await call('PATCH', `/api/v1/users/${me.user.id}`, { ip, token, body: { first_name: 'Renamed' } })).json()).toMatchObject({ first_name: 'Renamed' });
    await audit(`user_id=${me.user.id}&action=updated`, (e) => e.new_values?.first_name === 'Renamed', 'own rename');
  });

  it("accepts what the seeds' own clients send: username holding an email, seed 004's name and roles", async () => {
    const ip = '203.0.113.60';
    const email = `seed-${randomUUID().slice(0, 8)}@example.com`;
    const me = await signUp(email, ip);
    // Seeds 001, 002 and 004: `{"username": "user@example.com", "password": …}`.
    const login = await call('POST', '/api/v1/auth/login', { ip, body: { username: email.toUpperCase(), password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    // Seed 004's login response: user_id, name, email and roles beside the tokens.
    expect(login.json()).toMatchObject({ token_type: 'bearer', user_id: me.user.id, name: 'E2E User', email, roles: ['user'] });
    expectProblem(await call('POST', '/api/v1/auth/login', { ip, body: { username: email, password: 'Wrong-Password-42' } }), 401, 'INVALID_CREDENTIALS');

    // Seed 004 creates users with `name` and `roles`.
    const created = await call('POST', '/api/v1/users', {
      ip,
      token: adminToken,
      body: { email: `seed-admin-${randomUUID().slice(0, 8)}@example.com`, password: PASSWORD, name: 'John Doe', roles: ['user', 'admin'] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ first_name: 'John', last_name: 'Doe', name: 'John Doe', role: 'admin', roles: ['user', 'admin'] });
    const demoted = await call('PUT', `/api/v1/users/${created.json().id}`, { ip, token: adminToken, body: { roles: ['user'], name: 'Jane Roe' } });
    expect(demoted.json()).toMatchObject({ role: 'user', roles: ['user'], name: 'Jane Roe' });
    // `roles` is as privileged as `role`: nobody grants it to themselves.
    expectProblem(await call('PATCH', `/api/v1/users/${me.user.id}`, { ip, token: me.access_token, body: { roles: ['user', 'admin'] } }), 403, 'FORBIDDEN');
    expectProblem(await call('POST', '/api/v1/users', { ip, token: adminToken, body: { email: `x-${randomUUID().slice(0, 8)}@example.com`, password: PASSWORD, roles: ['root'] } }), 400, 'VALIDATION_FAILED');
  });

  it('authenticates API keys (Bearer and X-API-Key) until they are revoked', async () => {
    const ip = '203.0.113.60';
    const { access_token: token, user } = await signUp(`keys-${randomUUID().slice(0, 8)}@example.com`, ip);
    const created = await call('POST', '/api/v1/api-keys', { ip, token, body: { name: 'ci' }, headers: { 'idempotency-key': 'key-1' } });
    expect(created.statusCode).toBe(201);
    const { key, id } = created.json();
    expect((await call('GET', '/api/v1/auth/me', { ip, headers: { 'x-api-key': key } })).json()).toMatchObject({ id: user.id });
    expect((await call('GET', '/api/v1/auth/session', { ip, token: key })).json()).toMatchObject({ authenticated_by: 'api_key', user_id: user.id });
    const list = await call('GET', '/api/v1/api-keys', { ip, token });
    expect(list.json()).toMatchObject({ count: 1, next: null, previous: null, results: [{ id, name: 'ci' }] });
    // The key was just used, so it sits in the key cache (API_KEY_CACHE_S=60 here).
    expect((await call('GET', '/api/v1/auth/session', { ip, headers: { 'x-api-key': key } })).statusCode).toBe(200);
    expect((await call('DELETE', `/api/v1/api-keys/${id}`, { ip, token })).statusCode).toBe(200);
    // Fixed (issue 15): the gateway that carried the revocation refuses the key on the very next request…
    expectProblem(await call('GET', '/api/v1/auth/session', { ip, headers: { 'x-api-key': key } }), 401, 'UNAUTHORIZED');
    expectProblem(await call('GET', '/api/v1/auth/me', { ip, token: key }), 401, 'UNAUTHORIZED');
    // …and for good (api_key.revoked arrives as well).
    await waitFor(async () => (await call('GET', '/api/v1/auth/session', { ip, headers: { 'x-api-key': key } })).statusCode === 401, 'the revoked key refused', 10_000);
    await audit(`user_id=${user.id}&action=revoked`, (e) => e.event_type === 'api_key.revoked', 'api_key.revoked');
  });

  it('refuses the access tokens and API keys of a deactivated user at once, and a restarted gateway still does', async () => {
    const ip = '203.0.113.70';
    const { access_token: token, user } = await signUp(`ended-${randomUUID().slice(0, 8)}@example.com`, ip);
    const { key } = (await call('POST', '/api/v1/api-keys', { ip, token, body: { name: 'deploy' } })).json();
    expect((await call('GET', '/api/v1/auth/session', { ip, token: key })).statusCode).toBe(200);
    // A second session of the same user, from another device.
    const other = (await call('POST', '/api/v1/auth/login', { ip, body: { email: (await call('GET', '/api/v1/auth/me', { ip, token })).json().email, password: PASSWORD } })).json();

    expect((await call('PATCH', `/api/v1/users/${user.id}`, { ip: '198.51.100.250', token: adminToken, body: { is_active: false } })).statusCode).toBe(200);
    for (const [what, credential] of [['access token', token], ['other session', other.access_token], ['API key', key]] as const) {
      await waitFor(async () => (await call('GET', '/api/v1/auth/session', { ip, token: credential })).statusCode === 401, `the deactivated user's ${what} refused`, 10_000);
    }

    // A gateway started afterwards reads what was ended from the stream: the tokens stay refused.
    await gateway.kill('SIGTERM');
    gateway = startProcess('gateway', distPath('apps', 'gateway', 'src', 'main.js'), gatewayEnv());
    baseUrl = (JSON.parse(await gateway.waitForOutput(/gateway ready/, 30_000)) as { url: string }).url;
    for (const credential of [token, other.access_token, key]) {
      await waitFor(async () => (await call('GET', '/api/v1/auth/session', { ip, token: credential })).statusCode === 401, 'refused after a restart', 10_000);
    }
    // …while the admin's own token, never ended, still works.
    expect((await call('GET', '/api/v1/auth/session', { ip: '198.51.100.250', token: adminToken })).statusCode).toBe(200);
  });

  it('detects credential stuffing, and blocks an IP, a CIDR and an API key at both gateway replicas within a second', async () => {
    const second = startProcess('gateway-2', distPath('apps', 'gateway', 'src', 'main.js'), gatewayEnv());
    try {
      const secondUrl = (JSON.parse(await second.waitForOutput(/gateway ready/, 30_000)) as { url: string }).url;
      const at = (base: string, method: string, url: string, opts: { ip: string; token?: string; headers?: Record<string, string>; body?: object }) =>
        httpRequest(base, {
          method,
          url,
          headers: { 'x-forwarded-for': opts.ip, ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
          ...(opts.body ? { payload: opts.body } : {}),
        });
      const adminIp = '198.51.100.252';
      const act = (body: object) => at(baseUrl, 'POST', '/api/v1/security/threats', { ip: adminIp, token: adminToken, body });

      // Credential stuffing: one address, failed logins against six accounts.
      const attacker = '203.0.113.77';
      for (let i = 0; i < 6; i++) await call('POST', '/api/v1/auth/login', { ip: attacker, body: { email: `victim-${i}-${randomUUID().slice(0, 6)}@example.com`, password: 'Guess-Password-1' } });
      const threats = (await at(baseUrl, 'GET', '/api/v1/security/threats', { ip: adminIp, token: adminToken })).json();
      const stuffing = threats.threats.find((t: { type: string; source: { ip?: string } }) => t.type === 'credential_stuffing' && t.source.ip === attacker);
      expect(stuffing).toMatchObject({ severity: 'high', count: 6, blocked: false, suggested_block: { target_type: 'ip', target: attacker } });

      // Block it: refused at once by this replica, within a second by the other; health stays reachable.
      const blocked = await act({ action: 'block', target_type: 'ip', target: attacker, reason: 'credential stuffing' });
      expect(blocked.statusCode).toBe(200);
      expect(blocked.json()).toMatchObject({ target_type: 'ip', target: attacker, reason: 'credential stuffing', expires_at: null, unblocked_at: null });
      expectProblem(await call('POST', '/api/v1/auth/login', { ip: attacker, body: { email: 'x@example.com', password: 'y' } }), 403, 'ACCESS_BLOCKED');
      const started = Date.now();
      await waitFor(async () => (await at(secondUrl, 'GET', '/.well-known/jwks.json', { ip: attacker })).statusCode === 403, 'the block at the other replica', 15_000, 100);
      expect(Date.now() - started).toBeLessThan(2_500); // a 1 s poll, with room for a loaded machine
      expect((await at(secondUrl, 'GET', '/health', { ip: attacker })).statusCode).toBe(200);
      expect((await at(secondUrl, 'GET', '/.well-known/jwks.json', { ip: '203.0.113.78' })).statusCode).toBe(200);
      const listed = (await at(secondUrl, 'GET', '/api/v1/security/threats', { ip: adminIp, token: adminToken })).json();
      expect(listed.blocks).toEqual(expect.arrayContaining([expect.objectContaining({ target: attacker, blocked_by: expect.any(String) })]));
      expect(listed.threats.find((t: { id: string }) => t.id === stuffing.id)).toMatchObject({ blocked: true });
      expectProblem(await act({ action: 'block', target_type: 'ip', target: attacker, reason: 'again' }), 409, 'ALREADY_BLOCKED');

      // A range, and a key (by its id); bad targets and blocking oneself are refused.
      expect((await act({ action: 'block', target_type: 'cidr', target: '192.0.2.0/24', reason: 'abusive network' })).statusCode).toBe(200);
      await waitFor(async () => (await at(secondUrl, 'GET', '/.well-known/jwks.json', { ip: '192.0.2.200' })).statusCode === 403, 'the CIDR block', 15_000, 100);
      const { access_token: token } = await signUp(`blocked-key-${randomUUID().slice(0, 8)}@example.com`, '203.0.113.80');
      const key = (await call('POST', '/api/v1/api-keys', { ip: '203.0.113.80', token, body: { name: 'scraper' } })).json();
      expect((await at(secondUrl, 'GET', '/api/v1/auth/session', { ip: '203.0.113.81', headers: { 'x-api-key': key.key } })).statusCode).toBe(200);
      expect((await act({ action: 'block', target_type: 'api_key', target: key.id, reason: 'scraping' })).statusCode).toBe(200);
      await waitFor(async () => (await at(secondUrl, 'GET', '/api/v1/auth/session', { ip: '203.0.113.81', headers: { 'x-api-key': key.key } })).statusCode === 403, 'the key block', 15_000, 100);
      expect((await at(secondUrl, 'GET', '/api/v1/auth/session', { ip: '203.0.113.81', token })).statusCode).toBe(200); // the user's own token still works
      expectProblem(await act({ action: 'block', target_type: 'cidr', target: '10.0.0.0/33', reason: 'x' }), 400, 'VALIDATION_FAILED');
      expectProblem(await act({ action: 'block', target_type: 'ip', target: adminIp, reason: 'oops' }), 400, 'VALIDATION_FAILED');
      expectProblem(await act({ action: 'block', target_type: 'ip', target: '203.0.113.90' }), 400, 'VALIDATION_FAILED');
      expectProblem(await act({ action: 'unblock', target_type: 'ip', target: '203.0.113.91' }), 404, 'BLOCK_NOT_FOUND');

      // Unblocked everywhere, and said so in the audit log (security.blocked / security.unblocked events).
      for (const [type, target] of [['ip', attacker], ['cidr', '192.0.2.0/24'], ['api_key', key.id]]) {
        expect((await act({ action: 'unblock', target_type: type, target })).json()).toMatchObject({ target, unblocked_at: expect.any(String) });
      }
      await waitFor(async () => (await at(secondUrl, 'GET', '/.well-known/jwks.json', { ip: attacker })).statusCode === 200, 'the unblock at the other replica', 15_000, 200);
      expect((await at(secondUrl, 'GET', '/api/v1/auth/session', { ip: '203.0.113.81', headers: { 'x-api-key': key.key } })).statusCode).toBe(200);
      await audit('search=security.unblocked', (e) => e.event_type === 'security.unblocked' && e.new_values?.target === attacker, 'security.unblocked');
    } finally {
      await second.kill('SIGTERM');
    }
  });

  it('announces the rate limit on every response and answers 429 with Retry-After past it', async () => {
    const ip = '203.0.113.99';
    const responses: HttpResponse[] = [];
    for (let i = 0; i < ANONYMOUS_LIMIT; i++) responses.push(await call('GET', i % 2 ? '/.well-known/jwks.json' : '/api/v1/auth/me', { ip }));
    responses.forEach((res, i) => {
      expect(res.statusCode).toBe(i % 2 ? 200 : 401);
      expect(res.headers['x-ratelimit-limit']).toBe(String(ANONYMOUS_LIMIT));
      expect(res.headers['x-ratelimit-remaining']).toBe(String(ANONYMOUS_LIMIT - 1 - i));
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
      expect(res.headers['ratelimit-policy']).toBe(`"anonymous";q=${ANONYMOUS_LIMIT};w=3600, "anonymous-burst";q=${ANONYMOUS_LIMIT};w=60`);
      expect(res.headers.ratelimit).toMatch(new RegExp(`^"anonymous(-burst)?";r=${ANONYMOUS_LIMIT - 1 - i};t=\\d+$`));
    });
    const refused = await call('GET', '/.well-known/jwks.json', { ip });
    const problem = expectProblem(refused, 429, 'RATE_LIMIT_EXCEEDED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(problem.retry_after).toBe(Number(refused.headers['retry-after']));
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    // A signed-in user on the same network has a quota of their own.
    expect((await call('GET', '/api/v1/auth/me', { ip, token: adminToken })).statusCode).toBe(200);
    await call('GET', '/api/v1/auth/me', { ip });

    // The 429s reach the security metrics (reported by the gateway in batches), by tier and route, hour by hour.
    const metrics = await waitFor<Record<string, any>>(async () => {
      const res = await call('GET', '/api/v1/security/metrics?window_s=3600', { token: adminToken, ip: '198.51.100.251' });
      const byRoute = res.json().rate_limit_rejections_by_route ?? {};
      return byRoute['GET /.well-known/jwks.json'] && byRoute['GET /api/v1/auth/me'] ? (res.json() as Record<string, any>) : null;
    }, 'rate-limit rejections in security/metrics', 20_000, 250);
    expect(metrics.rate_limit_rejections_by_tier).toMatchObject({ anonymous: expect.any(Number) });
    expect(metrics.rate_limit_rejections_by_route).toMatchObject({ 'GET /.well-known/jwks.json': 1, 'GET /api/v1/auth/me': 1 });
    expect(metrics.series.length).toBeGreaterThanOrEqual(1);
    expect(metrics.series.reduce((sum: number, h: { rate_limit_rejections: number }) => sum + h.rate_limit_rejections, 0)).toBe(metrics.rate_limit_rejections);
    const ranged = await call('GET', `/api/v1/security/metrics?date_from=${new Date(Date.now() - 7_200_000).toISOString()}`, { token: adminToken, ip: '198.51.100.251' });
    expect(ranged.json()).toMatchObject({ rate_limit_rejections: metrics.rate_limit_rejections, signature_failures: 0 });
    expect(ranged.json().series).toHaveLength(3);
    const backwards = await call('GET', `/api/v1/security/metrics?date_from=${new Date().toISOString()}&date_to=2020-01-01T00:00:00Z`, { token: adminToken, ip: '198.51.100.251' });
    expectProblem(backwards, 400, 'VALIDATION_FAILED');
  });
});
