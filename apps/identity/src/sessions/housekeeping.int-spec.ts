import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { IdentityRpc, type TokenResponse } from '@saas/contracts';
import { failure, IdentityHarness } from '../../test/identity-harness.js';
import { IdentityHousekeeping } from './housekeeping.service.js';

jest.setTimeout(60_000);

describe('identity housekeeping (real Postgres)', () => {
  let h: IdentityHarness;

  beforeAll(async () => {
    h = await IdentityHarness.start('identity_housekeeping', { IDENTITY_RETENTION_DAYS: '30' });
  });

  afterAll(async () => {
    await h?.stop();
  });

  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> => {
    const db = await h.env.pg();
    try {
      return (await db.query(text, params)).rows as T[];
    } finally {
      await db.end();
    }
  };
  const sid = async (t: TokenResponse) => (await h.verify(t.access_token)).sid as string;

  it('deletes sessions, tokens and throttles unusable for longer than the retention, and nothing still usable', async () => {
    const email = 'keeper@example.com';
    await h.registerVerified(email);
    const ended = await h.login(email); // logged out long ago
    const expired = await h.login(email); // its refresh tokens expired long ago
    const live = await h.login(email); // in use
    const recentlyEnded = await h.login(email); // logged out yesterday: kept for the record
    const caller = await h.callerOf(live);
    await h.call(IdentityRpc.logout, { caller, refresh_token: ended.refresh_token });
    await h.call(IdentityRpc.logout, { caller, refresh_token: recentlyEnded.refresh_token });
    await failure(h.login(email, 'wrong-password-000', '198.51.100.77')); // a throttle row for that client
    await failure(h.login(email, 'wrong-password-000', '198.51.100.78'));

    await sql(`UPDATE identity.sessions SET revoked_at = now() - interval '40 days' WHERE id = $1`, [await sid(ended)]);
    await sql(`UPDATE identity.sessions SET revoked_at = now() - interval '1 day' WHERE id = $1`, [await sid(recentlyEnded)]);
    await sql(`UPDATE identity.sessions SET created_at = now() - interval '70 days' WHERE id = $1`, [await sid(expired)]);
    await sql(`UPDATE identity.refresh_tokens SET expires_at = now() - interval '35 days' WHERE session_id = $1`, [await sid(expired)]);
    // The verification token was used when the account was verified: pretend that was long ago.
    await sql(`UPDATE identity.user_tokens SET used_at = now() - interval '40 days', expires_at = now() - interval '39 days'`);
    await sql(`UPDATE identity.login_throttles SET last_failure_at = now() - interval '40 days' WHERE client LIKE '%198.51.100.77%'`);

    const purged = await h.service.app.get(IdentityHousekeeping).purge();
    expect(purged).toMatchObject({ sessions: 2, user_tokens: 1, login_throttles: 1 });

    const sessions = (await sql<{ id: string }>(`SELECT id FROM identity.sessions`)).map((r) => r.id);
    expect(sessions).toEqual(expect.arrayContaining([await sid(live), await sid(recentlyEnded)]));
    expect(sessions).not.toContain(await sid(ended));
    expect(sessions).not.toContain(await sid(expired));
    expect(await sql(`SELECT 1 FROM identity.refresh_tokens WHERE session_id = $1`, [await sid(expired)])).toEqual([]);
    expect((await sql<{ client: string }>(`SELECT client FROM identity.login_throttles`)).map((r) => r.client).join(' ')).toContain('198.51.100.78');

    // The live session still refreshes; running it again finds nothing more.
    const rotated = await h.call<TokenResponse>(IdentityRpc.refresh, { refresh_token: live.refresh_token });
    expect(rotated.refresh_token).toBeDefined();
    expect(await h.service.app.get(IdentityHousekeeping).purge()).toEqual({ sessions: 0, refresh_tokens: 0, user_tokens: 0, login_throttles: 0 });
  });
});
