import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FaultPlatform, report, type PlatformService } from './fault-platform.js';

jest.setTimeout(180_000);

/**
 * A service SIGKILLed in the middle of a burst of sign-ups and started again (as the supervisor of
 * `npm start` or Kubernetes would): nothing it was doing may be lost or done twice.
 */
describe('services SIGKILLed mid-burst', () => {
  let platform: FaultPlatform;

  beforeAll(async () => {
    platform = await FaultPlatform.start('faults_kill');
    await platform.login();
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it.each<[PlatformService | 'gateway', number]>([
    ['tenants', 200],
    ['provisioning', 1_200],
    ['identity', 200],
    ['gateway', 200],
  ])('%s SIGKILLed %i ms into six sign-ups, restarted 0.5 s later: all end active, once each', async (service, afterMs) => {
    let restartedAt = 0;
    const { outcomes } = await platform.signUpBurst(`kill-${service}`, 6, {
      afterMs,
      run: async () => {
        await platform.kill(service, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 500));
        // The clients keep retrying against the gateway's address, which a restart may change.
        if (service === 'gateway') await platform.startGateway();
        else await platform.startService(service);
        restartedAt = Date.now();
      },
    });
    const allActiveAt = await platform.untilActive(outcomes.map((o) => o.tenant.id));
    const end = await platform.endState(outcomes.map((o) => o.tenant));
    report({ case: `${service} SIGKILLed mid-burst`, created: outcomes.length, active: end.active, duplicates: end.duplicates, lost_events: end.lostEvents, recover_ms: Math.max(0, allActiveAt - restartedAt) });
    expect(end.problems).toEqual([]);
    expect(end.active).toBe(6);
    expect(await platform.orphans()).toEqual([]);
  });
});
