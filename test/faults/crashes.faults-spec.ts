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
    ['billing', 200],
    ['webhooks', 1_200],
    ['backups', 200],
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

  it('backups SIGKILLed 300 ms into six backups, restarted 0.5 s later: each ends completed or failed, never stuck; a retry completes', async () => {
    const { outcomes } = await platform.signUpBurst('kill-backing-up', 6);
    await platform.untilActive(outcomes.map((o) => o.tenant.id));
    const started = await platform.backUp(outcomes.map((o) => o.tenant));
    await new Promise((r) => setTimeout(r, 300));
    await platform.kill('backups', 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    await platform.startService('backups');
    const restartedAt = Date.now();
    const ended = await Promise.all(started.map((b) => platform.backupEnded(b.tenantId, b.backupId)));
    // A backup cut short says so (no "partially completed"); it is taken again, as an operator would.
    const failed = started.filter((_, i) => ended[i]!.status === 'failed');
    for (const b of failed) expect(JSON.stringify(ended[started.indexOf(b)]!.error)).toMatch(/interrupt|lease|restart|lost/i);
    const retried = await platform.backUp(failed.map((b) => outcomes.find((o) => o.tenant.id === b.tenantId)!.tenant));
    const retriedEnded = await Promise.all(retried.map((b) => platform.backupEnded(b.tenantId, b.backupId)));
    expect(retriedEnded.map((b) => b.status)).toEqual(retried.map(() => 'completed'));
    report({ case: 'backups SIGKILLed during six backups', created: 6, active: ended.filter((b) => b.status === 'completed').length + retriedEnded.length, duplicates: 0, lost_events: 0, recover_ms: Date.now() - restartedAt });
    // What is stored is whole: no part left half-written by the killed process.
    expect(await platform.partialBackupFiles()).toEqual([]);
    const end = await platform.endState(outcomes.map((o) => o.tenant));
    expect(end.problems).toEqual([]);
  });
});
