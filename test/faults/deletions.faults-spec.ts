import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FaultPlatform, report, type PlatformService } from './fault-platform.js';

jest.setTimeout(240_000);

/**
 * The deletion saga (final backup → deprovision → deleted) with one of its services SIGKILLed in
 * the middle of four deletions and started again: every tenant ends `deleted` with nothing left
 * behind but its one final backup, and nothing happens twice.
 */
describe('services SIGKILLed mid-deletion', () => {
  let platform: FaultPlatform;

  beforeAll(async () => {
    platform = await FaultPlatform.start('faults_del');
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it.each<[PlatformService, number]>([
    ['backups', 300],
    ['provisioning', 600],
    ['tenants', 300],
  ])('%s SIGKILLed %i ms into four deletions, restarted 0.5 s later: all end deleted, one final backup each, nothing left', async (service, afterMs) => {
    const { outcomes } = await platform.signUpBurst(`del-${service}`, 4);
    const tenants = outcomes.map((o) => o.tenant);
    await platform.untilActive(tenants.map((t) => t.id));
    await platform.deleteAll(tenants);
    await new Promise((r) => setTimeout(r, afterMs));
    await platform.kill(service, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    await platform.startService(service);
    const restartedAt = Date.now();
    const allDeletedAt = await platform.untilStatus(tenants.map((t) => t.id), 'deleted');
    const problems = await platform.deletedState(tenants);
    report({ case: `${service} SIGKILLed mid-deletion`, created: tenants.length, active: tenants.length - problems.length, duplicates: 0, lost_events: 0, recover_ms: Math.max(0, allDeletedAt - restartedAt) });
    expect(problems).toEqual([]);
    expect(await platform.orphans()).toEqual([]);
  });
});
