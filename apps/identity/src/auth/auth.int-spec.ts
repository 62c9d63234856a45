import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { decodeProtectedHeader, errors as joseErrors, createLocalJWKSet, jwtVerify } from 'jose';
import { IdentityRpc, type AcceptedResponse, type TokenResponse } from '@saas/contracts';
import { waitFor } from '@saas/testing';
import { AUDIENCE, failure, IdentityHarness, ISSUER, STRONG_PASSWORD } from '../../test/identity-harness.js';
import { PasswordHasher } from '../users/password-hasher.js';
import { Clock } from '@saas/service-kit';

jest.setTimeout(60_000);

describe('identity auth over RPC', () => {
  let h: IdentityHarness;

  beforeAll(async () => {
    h = await IdentityHarness.start('identity_auth');
  });

  afterAll(async () => {
    await h?.stop();
  });

  async function securityEvents(type: string): Promise<number> {
    const db = await h.env.pg();
    try {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM identity.security_events WHERE type = $1`, [type]);
      return rows[0]!.n;
    } finally {
      await db.end();
    }
  }

  it('registers, verifies from the mailed token, logs in, rotates refresh tokens, detects reuse and logs out', async () => {
    const email = 'Ada.Lovelace@Example.com';
    const accepted = await h.call<AcceptedResponse>(IdentityRpc.register, {
      email,
      password: STRONG_PASSWORD,
      first_name: 'Ada',
      last_name: 'Lovelace',
      tenant_name: 'Analytical Engines',
      tenant_domain: 'engines.example.com',
      client: { ip: '192.0.2.1', user_agent: 'jest' },
    });
    expect(accepted.status).toBe('accepted');

    const mail = await h.waitForMail('ada.lovelace@example.com', /verify your email/i);
    const token = IdentityHarness.tokenOf(mail);
    // Unverified accounts may sign in (documented); the token says so.
    const early = await h.login('ada.lovelace@example.com');
    expect(early.user.email_verified).toBe(false);
    expect((await h.verify(early.access_token)).email_verified).toBe(false);

    // The tenant asked for at registration is created once the address is proven (by the tenants service).
    await expect(h.call(IdentityRpc.verifyEmail, { token })).resolves.toEqual({
      email_verified: true,
      requested_tenant: { name: 'Analytical Engines', domain: 'engines.example.com', status: 'creating' },
    });
    expect((await failure(h.call(IdentityRpc.verifyEmail, { token }))).code).toBe('INVALID_TOKEN'); // single use

    const login = await h.login('ADA.LOVELACE@example.com'); // email is case-insensitive
    expect(login).toMatchObject({ token_type: 'bearer', expires_in: 900, user: { email: 'ada.lovelace@example.com', full_name: 'Ada Lovelace', email_verified: true, role: 'user' } });
    expect(login.refresh_token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(login.user.last_login).not.toBeNull();

    const rotated = await h.call<TokenResponse>(IdentityRpc.refresh, { refresh_token: login.refresh_token });
    expect(rotated.refresh_token).not.toBe(login.refresh_token);
    expect((await h.verify(rotated.access_token)).sid).toBe((await h.verify(login.access_token)).sid);

    // The old token is spent; presenting it again revokes the whole family, the new token included.
    const reuse = await failure(h.call(IdentityRpc.refresh, { refresh_token: login.refresh_token, client: { ip: '198.51.100.66' } }));
    expect([reuse.code, reuse.status]).toEqual(['INVALID_TOKEN', 401]);
    expect((await failure(h.call(IdentityRpc.refresh, { refresh_token: rotated.refresh_token }))).code).toBe('INVALID_TOKEN');
    expect(await securityEvents('token_reuse_detected')).toBe(1);

    // Logout ends the session of the given refresh token only.
    const a = await h.login('ada.lovelace@example.com');
    const b = await h.login('ada.lovelace@example.com');
    const caller = await h.callerOf(a);
    const sidA = (await h.verify(a.access_token)).sid as string;
    const userId = (await h.verify(a.access_token)).sub as string;
    // sessions.check (asked by a gateway that cannot trust its revocation list): live until logged out.
    await expect(h.call(IdentityRpc.sessionsCheck, { user_id: userId, session_id: sidA })).resolves.toEqual({ active: true });
    await expect(h.call(IdentityRpc.logout, { caller, refresh_token: a.refresh_token })).resolves.toEqual({ sessions_ended: 1, session_ids: [sidA] });
    await expect(h.call(IdentityRpc.sessionsCheck, { user_id: userId, session_id: sidA })).resolves.toEqual({ active: false });
    await expect(h.call(IdentityRpc.sessionsCheck, { user_id: userId, session_id: (await h.verify(b.access_token)).sid })).resolves.toEqual({ active: true });
    await expect(h.call(IdentityRpc.sessionsCheck, { user_id: randomUUID(), session_id: sidA })).resolves.toEqual({ active: false });
    expect((await failure(h.call(IdentityRpc.sessionsCheck, { user_id: 'nope' }))).code).toBe('VALIDATION_FAILED');
    expect((await failure(h.call(IdentityRpc.refresh, { refresh_token: a.refresh_token }))).code).toBe('INVALID_TOKEN');
    await expect(h.call<TokenResponse>(IdentityRpc.refresh, { refresh_token: b.refresh_token })).resolves.toHaveProperty('access_token');

    // user.created carried the requested tenant (read from the outbox).
    const db = await h.env.pg();
    try {
      const { rows } = await db.query(`SELECT envelope FROM identity.outbox WHERE type = 'user.created' AND envelope->'data'->>'email' = $1`, ['ada.lovelace@example.com']);
      expect(rows[0].envelope.data.requested_tenant).toEqual({ name: 'Analytical Engines', domain: 'engines.example.com' });
      expect(rows[0].envelope.actor).toMatchObject({ type: 'user', ip: '192.0.2.1' });
      expect(JSON.stringify(rows[0].envelope)).not.toMatch(/argon2|Correct-Horse/);
    } finally {
      await db.end();
    }
  });

  it('issues RS256 access tokens that verify against the JWKS with pinned alg, typ, iss and aud', async () => {
    await h.registerVerified('claims@example.com');
    const tokens = await h.login('claims@example.com');
    const header = decodeProtectedHeader(tokens.access_token);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const jwks = await h.jwks();
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    expect(jwks.keys.every((k) => !('d' in k))).toBe(true); // public parts only

    const claims = await h.verify(tokens.access_token);
    expect(claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: tokens.user.id, typ: 'access', roles: ['user'], tier: 'standard', email: 'claims@example.com' });
    expect(claims.exp - claims.iat).toBe(900);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);

    const keySet = createLocalJWKSet(jwks as never);
    await expect(jwtVerify(tokens.access_token, keySet, { algorithms: ['RS256'], issuer: ISSUER, audience: 'someone-else' })).rejects.toBeInstanceOf(
      joseErrors.JWTClaimValidationFailed,
    );
    await expect(jwtVerify(tokens.access_token, keySet, { algorithms: ['EdDSA'] })).rejects.toBeInstanceOf(joseErrors.JOSEAlgNotAllowed);
    expect(jwks.keys.every((k) => k.kty === 'RSA' && k.alg === 'RS256')).toBe(true);
  });

  it('rotates the signing key: old tokens keep verifying until the retired key ages out of the JWKS', async () => {
    const admin = await h.admin();
    await h.registerVerified('rotation@example.com');
    const before = await h.login('rotation@example.com');
    const oldKid = decodeProtectedHeader(before.access_token).kid;

    const user = await h.callerOf(before);
    expect((await failure(h.call(IdentityRpc.rotateKeys, { caller: user }))).code).toBe('FORBIDDEN');
    const rotated = await h.call<{ kid: string; previous_kid: string }>(IdentityRpc.rotateKeys, { caller: admin });
    expect(rotated.previous_kid).toBe(oldKid);

    // Replicas cache the active key for a few seconds; wait for the new one to be used.
    const after = await waitFor(async () => {
      const t = await h.login('rotation@example.com');
      return decodeProtectedHeader(t.access_token).kid === rotated.kid ? t : undefined;
    }, 'tokens signed with the new key', 15_000, 500);
    await expect(h.verify(before.access_token)).resolves.toMatchObject({ sub: before.user.id });
    await expect(h.verify(after.access_token)).resolves.toMatchObject({ sub: before.user.id });
    expect((await h.jwks()).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, rotated.kid]));

    // Once every token the old key signed has expired, it leaves the JWKS.
    const clock = h.service.app.get(Clock);
    const spy = jest.spyOn(clock, 'now').mockReturnValue(new Date(Date.now() + 901_000));
    try {
      expect((await h.jwks()).keys.map((k) => k.kid)).toEqual([rotated.kid]);
    } finally {
      spy.mockRestore();
    }
  });

  it('locks an account per client IP after 5 failures; the owner elsewhere and a password reset still work', async () => {
    const email = 'target@example.com';
    await h.registerVerified(email);
    const attacker = '198.51.100.200';
    for (let i = 0; i < 5; i++) {
      expect((await failure(h.login(email, 'Wrong-Password-123', attacker))).code).toBe('INVALID_CREDENTIALS');
    }
    const locked = await failure(h.login(email, STRONG_PASSWORD, attacker));
    expect([locked.code, locked.status]).toEqual(['ACCOUNT_LOCKED', 429]);
    expect((locked.extensions as { retry_after: number }).retry_after).toBeGreaterThan(0);
    expect(await securityEvents('account_locked')).toBeGreaterThanOrEqual(1);

    // The owner, from their own network, is not locked out by the attacker.
    await expect(h.login(email, STRONG_PASSWORD, '203.0.113.77')).resolves.toHaveProperty('access_token');

    // A password reset always works, ends every session and clears the lock.
    const session = await h.login(email, STRONG_PASSWORD, '203.0.113.77');
    const before = h.mails.length;
    await h.call(IdentityRpc.forgotPassword, { email });
    const token = IdentityHarness.tokenOf(await h.waitForMail(email, /reset your password/i, before));
    expect((await failure(h.call(IdentityRpc.resetPassword, { token, password: 'short' }))).code).toBe('VALIDATION_FAILED');
    await expect(h.call(IdentityRpc.resetPassword, { token, password: 'Brand-New-Passphrase-7' })).resolves.toEqual({ password_reset: true });
    expect((await failure(h.call(IdentityRpc.resetPassword, { token, password: 'Another-New-Passphrase-8' }))).code).toBe('INVALID_TOKEN');
    expect((await failure(h.call(IdentityRpc.refresh, { refresh_token: session.refresh_token }))).code).toBe('INVALID_TOKEN');
    await expect(h.login(email, 'Brand-New-Passphrase-7', attacker)).resolves.toHaveProperty('access_token');

    const metrics = await h.call<{ failed_logins: number; lockouts: number; token_reuse: number }>(IdentityRpc.securityMetrics, { caller: await h.admin() });
    expect(metrics.failed_logins).toBeGreaterThanOrEqual(5);
    expect(metrics.lockouts).toBeGreaterThanOrEqual(1);
  });

  it('does not reveal which emails have accounts (register, login, forgot, lockout)', async () => {
    const known = 'known@example.com';
    await h.registerVerified(known);
    const unknown = 'nobody-here@example.com';

    const body = { password: STRONG_PASSWORD, full_name: 'Some One' };
    const before = h.mails.length;
    const r1 = await h.call(IdentityRpc.register, { email: known, ...body });
    const r2 = await h.call(IdentityRpc.register, { email: 'fresh@example.com', ...body });
    expect(r1).toEqual(r2);
    await h.waitForMail(known, /already have an account/i, before); // the owner learns it, nobody else

    const verify = jest.spyOn(PasswordHasher.prototype, 'verify');
    try {
      const e1 = await failure(h.login(known, 'Not-The-Password-1', '192.0.2.50'));
      const e2 = await failure(h.login(unknown, 'Not-The-Password-1', '192.0.2.50'));
      expect([e2.code, e2.status, e2.message, e2.extensions]).toEqual([e1.code, e1.status, e1.message, e1.extensions]);
      // The unknown account was checked against a (dummy) argon2 hash too: same work, same time.
      expect(verify).toHaveBeenCalledTimes(2);
      expect(String(verify.mock.calls[1]![0])).toMatch(/^\$argon2id\$/);
    } finally {
      verify.mockRestore();
    }

    // Unknown identifiers lock exactly like accounts.
    for (let i = 0; i < 4; i++) await failure(h.login(unknown, 'Not-The-Password-1', '192.0.2.50'));
    for (let i = 0; i < 4; i++) await failure(h.login(known, 'Not-The-Password-1', '192.0.2.50'));
    const l1 = await failure(h.login(known, 'Not-The-Password-1', '192.0.2.50'));
    const l2 = await failure(h.login(unknown, 'Not-The-Password-1', '192.0.2.50'));
    expect([l2.code, l2.status]).toEqual([l1.code, l1.status]);
    expect(l1.code).toBe('ACCOUNT_LOCKED');

    const f1 = await h.call(IdentityRpc.forgotPassword, { email: known });
    const f2 = await h.call(IdentityRpc.forgotPassword, { email: unknown });
    expect(f1).toEqual(f2);
    expect(await h.call(IdentityRpc.resendVerification, { email: unknown })).toEqual(f1);
  });

  it('refuses weak passwords and unknown fields with VALIDATION_FAILED', async () => {
    const weak = await failure(h.call(IdentityRpc.register, { email: 'weak@example.com', password: 'password123', full_name: 'W' }));
    expect(weak.code).toBe('VALIDATION_FAILED');
    expect(weak.errors).toEqual(expect.arrayContaining([{ field: 'password', message: 'password is too common' }]));
    const mass = await failure(h.call(IdentityRpc.register, { email: 'mass@example.com', password: STRONG_PASSWORD, full_name: 'M', role: 'admin' }));
    expect(mass.errors).toEqual([{ field: 'role', message: 'unknown field' }]);
  });
});
