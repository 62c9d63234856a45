import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FaultPlatform, PLATFORM_SERVICES, report } from './fault-platform.js';

jest.setTimeout(240_000);

/**
 * Three replicas of every service (issue 15): RPC through queue groups, events through the shared
 * durable consumer, jobs claimed under leases. One replica of each is SIGKILLed in the middle of a
 * burst and not brought back: the other two finish everything, nothing is done twice, no event is lost.
 */
describe('three replicas of every service, one of each killed mid-burst', () => {
  let platform: FaultPlatform;

  beforeAll(async () => {
    platform = await FaultPlatform.start('faults_replicas', { replicas: 3 });
    await platform.login();
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('six sign-ups; replica 2 of identity, tenants and provisioning SIGKILLed 400 ms in: all end active, once each', async () => {
    let killedAt = 0;
    const { outcomes } = await platform.signUpBurst('replicas', 6, {
      afterMs: 400,
      run: async () => {
        await Promise.all(PLATFORM_SERVICES.map((s) => platform.kill(`${s}-2`, 'SIGKILL')));
        killedAt = Date.now();
      },
    });
    const allActiveAt = await platform.untilActive(outcomes.map((o) => o.tenant.id));
    const end = await platform.endState(outcomes.map((o) => o.tenant));
    report({ case: '3 replicas each, one of each SIGKILLed', created: outcomes.length, active: end.active, duplicates: end.duplicates, lost_events: end.lostEvents, recover_ms: allActiveAt - killedAt });
    expect(end.problems).toEqual([]);
    expect(end.active).toBe(6);
    expect(await platform.orphans()).toEqual([]);
  });
});
