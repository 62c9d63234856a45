import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { createEnvelope, IdentityEventTypes } from '@saas/contracts';
import { connectNats, ensureEventStream, SubjectNaming } from '@saas/messaging';
import { createLogger } from '@saas/observability';
import { OwnNatsServer, waitFor } from '@saas/testing';
import type { Principal } from './principal.js';
import { CredentialRevocations } from './revocations.js';

/**
 * The revocation reader against a nats-server this test owns (issue 15): it must resume after NATS
 * restarts — it used to stop for good (`consumer delivery policy is deliver by start sequence, but
 * optional start time is also set`) — and must not be trusted while it cannot read.
 */
const CHECK_MS = 200;

const keyPrincipal = (apiKeyId: string): Principal => ({
  kind: 'api_key',
  userId: randomUUID(),
  roles: ['user'],
  tier: 'standard',
  planTier: 'standard',
  tenantId: null,
  email: 'k@example.com',
  expiresAtMs: Date.now() + 60_000,
  apiKeyId,
});
const sessionPrincipal = (sid: string): Principal => ({ ...keyPrincipal('none'), kind: 'user', apiKeyId: undefined, claims: { sid } as Principal['claims'] });

describe('CredentialRevocations on a NATS that restarts and pauses', () => {
  let nats: OwnNatsServer;
  let nc: NatsConnection;
  let publisher: NatsConnection;
  let revocations: CredentialRevocations;
  const naming = new SubjectNaming('revoc.');

  const revokeKey = async (id: string) => {
    const event = createEnvelope({ type: IdentityEventTypes.ApiKeyRevoked, data: { api_key_id: id, user_id: randomUUID() } });
    await waitFor(() => jetstream(publisher).publish(naming.event(event.type), JSON.stringify(event), { msgID: event.id }), 'publishing a revocation', 20_000, 100);
  };

  beforeAll(async () => {
    nats = await OwnNatsServer.start();
    nc = await connectNats(nats.url, 'gateway-under-test');
    publisher = await connectNats(nats.url, 'identity-stand-in');
    await ensureEventStream(await jetstreamManager(publisher), naming);
    revocations = new CredentialRevocations(nc, naming, { REVOCATION_RETENTION_S: 3_600, REVOCATION_CHECK_MS: CHECK_MS }, createLogger('revocations-test', 'silent'));
  }, 30_000);

  afterAll(async () => {
    await revocations?.onApplicationShutdown();
    await nc?.close().catch(() => undefined);
    await publisher?.close().catch(() => undefined);
    await nats?.stop();
  }, 30_000);

  it('replays what was revoked before it started, and is trusted only once caught up', async () => {
    await revokeKey('k-before');
    expect(revocations.trusted()).toBe(false);
    await revocations.onApplicationBootstrap();
    await waitFor(() => revocations.trusted(), 'the list to be trusted', 10_000);
    expect(revocations.isRevoked(keyPrincipal('k-before'))).toBe(true);
    expect(revocations.readiness().status).toBe('ok');
  });

  it('keeps reading after NATS is killed and restarted, and is distrusted while it is down', async () => {
    await revokeKey('k-1');
    await waitFor(() => revocations.isRevoked(keyPrincipal('k-1')), 'k-1 revoked');

    await nats.kill();
    await waitFor(() => !revocations.trusted(), 'the list to be distrusted', 5_000, 20);
    expect(revocations.readiness().status).toBe('stale');
    await nats.restart();

    await revokeKey('k-2');
    const logout = createEnvelope({ type: IdentityEventTypes.UserLoggedOut, data: { user_id: randomUUID(), session_ids: ['s-after-restart'] } });
    await jetstream(publisher).publish(naming.event(logout.type), JSON.stringify(logout), { msgID: logout.id });
    await waitFor(() => revocations.isRevoked(keyPrincipal('k-2')) && revocations.isRevoked(sessionPrincipal('s-after-restart')), 'revocations published after the restart', 30_000);
    await waitFor(() => revocations.trusted(), 'the list to be trusted again', 30_000);

    // And again: a second restart (the reader was re-created once already) changes nothing.
    await nats.restart();
    await revokeKey('k-3');
    await waitFor(() => revocations.isRevoked(keyPrincipal('k-3')) && revocations.trusted(), 'k-3 after the second restart', 30_000);
    expect(revocations.isRevoked(keyPrincipal('k-never'))).toBe(false);
  }, 90_000);

  it('is distrusted while NATS is paused (SIGSTOP) and trusted again after SIGCONT', async () => {
    nats.pause();
    try {
      await waitFor(() => !revocations.trusted(), 'the list to be distrusted', CHECK_MS * 3 + 5_000, 20);
      expect(revocations.readiness().readers.some((r) => !r.caught_up)).toBe(true);
    } finally {
      nats.resume();
    }
    await revokeKey('k-4');
    await waitFor(() => revocations.isRevoked(keyPrincipal('k-4')) && revocations.trusted(), 'k-4 after the pause', 30_000);
  }, 60_000);
});
