import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EventTypes, ProvisioningRpc, TenantsRpc } from '@saas/contracts';
import { SubjectNaming } from '@saas/messaging';
import type { NatsPrincipal } from '../../tools/nats/permissions.js';
import { FaultPlatform, PLATFORM_SERVICES, report } from './fault-platform.js';

jest.setTimeout(180_000);

/**
 * Issue 8: the NATS permissions written for production (tools/nats → deploy/nats, the Helm chart)
 * enforced by a real nats-server, every process connected as its own user. The platform still does
 * everything it does (a burst of sign-ups ends active, once each, with its webhooks), and the server
 * itself refuses what a principal has no business doing: the gateway reaching an internal subject,
 * publishing an event or answering an RPC; a service calling an internal subject it is not named for
 * or standing in for another service.
 */
describe('the platform on NATS with per-process permissions', () => {
  let platform: FaultPlatform;
  const conns: NatsConnection[] = [];
  let naming: SubjectNaming;

  beforeAll(async () => {
    platform = await FaultPlatform.start('faults_natsperm', { natsAuth: true });
    naming = new SubjectNaming(platform.env.prefix);
  }, 120_000);

  afterAll(async () => {
    for (const c of conns) await c.close().catch(() => undefined);
    await platform?.stop();
  }, 60_000);

  const as = async (principal: NatsPrincipal): Promise<NatsConnection> => {
    const nc = await connect({ servers: platform.nats.url, user: principal, pass: platform.natsPasswords.get(principal)! });
    conns.push(nc);
    return nc;
  };
  const packet = (data: unknown) => JSON.stringify({ pattern: 'x', data, id: 'perm-check' });
  /** What a request ends in: `permission` (refused by the server), `answered`, or the error's name. */
  const outcome = async (nc: NatsConnection, subject: string): Promise<string> => {
    try {
      await nc.request(naming.subject(subject), packet({ tenant_id: '00000000-0000-4000-8000-000000000000' }), { timeout: 3_000 });
      return 'answered';
    } catch (err) {
      const e = err as Error & { cause?: Error };
      return [e.name, e.cause?.name].includes('PermissionViolationError') || /permission/i.test(`${e.message} ${e.cause?.message ?? ''}`) ? 'permission' : e.name;
    }
  };
  /** Whether the server refuses a subscription (it answers -ERR and nats.js closes the subscription with it). */
  const subscribeRefused = async (nc: NatsConnection, subject: string): Promise<boolean> => {
    const sub = nc.subscribe(naming.subject(subject));
    const closed = await Promise.race([sub.closed.then((err) => err ?? 'closed'), new Promise((r) => setTimeout(() => r(null), 1_500))]);
    sub.unsubscribe();
    return closed instanceof Error && /permission/i.test(closed.message);
  };

  it('runs a burst of sign-ups to active with every process on its own NATS user', async () => {
    const { outcomes, faultEndedAt } = await platform.signUpBurst('natsperm', 4);
    const allActiveAt = await platform.untilActive(outcomes.map((o) => o.tenant.id));
    const end = await platform.endState(outcomes.map((o) => o.tenant));
    report({ case: 'NATS permissions enforced', created: outcomes.length, active: end.active, duplicates: end.duplicates, lost_events: end.lostEvents, recover_ms: allActiveAt - faultEndedAt });
    expect(end.problems).toEqual([]);
    expect(end.active).toBe(4);
    for (const s of PLATFORM_SERVICES) expect(await platform.serviceReady(s)).toBe(200);
  });

  it('refuses the gateway every internal subject, event publishing and answering RPCs, and lets it call public ones', async () => {
    const gw = await as('gateway');
    for (const subject of [TenantsRpc.internalCredentials, ProvisioningRpc.internalTenantData, ProvisioningRpc.internalInstancePower]) {
      expect(`${subject}: ${await outcome(gw, subject)}`).toBe(`${subject}: permission`);
    }
    expect(await outcome(gw, TenantsRpc.get)).toBe('answered');
    await expect(jetstream(gw).publish(naming.event(EventTypes.UserDeleted), JSON.stringify({ forged: true }), { timeout: 3_000 })).rejects.toThrow();
    expect(await subscribeRefused(gw, TenantsRpc.get)).toBe(true);
    expect(await subscribeRefused(gw, 'events.>')).toBe(true);
  });

  it('lets a service call only the internal subjects it is named for, and answer only its own RPCs', async () => {
    expect(await outcome(await as('provisioning'), TenantsRpc.internalCredentials)).toBe('answered');
    expect(await outcome(await as('backups'), ProvisioningRpc.internalTenantData)).toBe('answered');
    expect(await outcome(await as('billing'), TenantsRpc.internalCredentials)).toBe('permission');
    expect(await outcome(await as('tenants'), ProvisioningRpc.internalTenantData)).toBe('permission');
    const backups = await as('backups');
    expect(await subscribeRefused(backups, TenantsRpc.get)).toBe(true);
    expect(await subscribeRefused(backups, 'rpc.backups.list')).toBe(false);
  });
});
