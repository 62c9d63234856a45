import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { waitFor } from '@saas/testing';
import { FaultPlatform, report } from './fault-platform.js';

jest.setTimeout(180_000);

/**
 * A gateway restarted while credentials are being revoked through another replica (issue 15):
 * afterwards every revoked credential is refused by both — the restarted one replays what it
 * missed, the carrying one refused each at once — and the credentials nobody revoked still work.
 */
describe('gateway restarted while revocations are published', () => {
  let platform: FaultPlatform;
  let other: string;

  beforeAll(async () => {
    platform = await FaultPlatform.start('faults_revoke');
    await platform.login();
    other = await platform.startGateway('gateway-b');
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  const session = (base: string, credential: string) =>
    platform.api('GET', '/api/v1/auth/session', { base, token: '', headers: credential.startsWith('sk_') ? { 'x-api-key': credential } : { authorization: `Bearer ${credential}` } });

  it('refuses every revoked key and logged-out session on both replicas, the restarted one included', async () => {
    const keys: Array<{ id: string; key: string }> = [];
    for (let i = 0; i < 6; i++) {
      const res = await platform.api('POST', '/api/v1/api-keys', { body: { name: `fault-key-${i}` } });
      expect(res.status).toBe(201);
      keys.push({ id: res.body.id, key: res.body.key });
    }
    const sessions = await Promise.all(Array.from({ length: 4 }, () => platform.login()));
    const keep = { key: keys.pop()!, session: sessions.pop()! };
    // Both gateways have verified (and cached) every credential.
    for (const base of [platform.baseUrl, other]) {
      for (const c of [...keys.map((k) => k.key), ...sessions.map((s) => s.access_token), keep.key.key, keep.session.access_token]) {
        expect((await session(base, c)).status).toBe(200);
      }
    }

    // Revoke through gateway B, one after the other, while gateway A is killed and started again.
    const restart = (async () => {
      await new Promise((r) => setTimeout(r, 100));
      await platform.kill('gateway', 'SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      await platform.startGateway('gateway');
      return Date.now();
    })();
    for (const k of keys) {
      expect((await platform.api('DELETE', `/api/v1/api-keys/${k.id}`, { base: other })).status).toBe(200);
      // Refused by the replica that carried it on the very next request.
      expect((await session(other, k.key)).status).toBe(401);
    }
    for (const s of sessions) {
      expect((await platform.api('POST', '/api/v1/auth/logout', { base: other, token: s.access_token, body: { refresh_token: s.refresh_token } })).status).toBe(200);
      expect((await session(other, s.access_token)).status).toBe(401);
    }
    const restartedAt = await restart;
    await waitFor(async () => (await platform.api('GET', '/ready', { token: '' })).status === 200, 'the restarted gateway to be ready', 20_000, 50);
    const readyAfterMs = Date.now() - restartedAt;

    const refused = async (base: string) => {
      const answers = await Promise.all([...keys.map((k) => k.key), ...sessions.map((s) => s.access_token)].map(async (c) => (await session(base, c)).status));
      return answers.filter((s) => s === 401).length;
    };
    const revoked = keys.length + sessions.length;
    expect(await refused(platform.baseUrl)).toBe(revoked);
    expect(await refused(other)).toBe(revoked);
    for (const base of [platform.baseUrl, other]) {
      expect((await session(base, keep.key.key)).status).toBe(200);
      expect((await session(base, keep.session.access_token)).status).toBe(200);
    }
    report({ case: 'gateway restarted while revocations are published', created: revoked, active: revoked, duplicates: 0, lost_events: 0, recover_ms: readyAfterMs });
  });
});
