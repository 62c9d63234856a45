import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { FaultPlatform, PLATFORM_SERVICES, report } from './fault-platform.js';

jest.setTimeout(180_000);

/**
 * Postgres (the platform's and the tenants' databases, one cluster here) restarted in the middle
 * of a burst of sign-ups: every connection is cut and refused for 1.5 s. Services must treat it as
 * a blip — RPCs answer 503 (the client retries), jobs and events are retried — and every tenant ends
 * `active` with exactly one of everything.
 */
describe('Postgres restarted mid-burst', () => {
  let platform: FaultPlatform;

  beforeAll(async () => {
    platform = await FaultPlatform.start('faults_pg');
    await platform.login();
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('six sign-ups while Postgres restarts (down 1.5 s): all end active, once each, nothing orphaned', async () => {
    let readyDuring: number | undefined;
    let readyWhileDown: number | undefined;
    const { outcomes, faultEndedAt } = await platform.signUpBurst('pg', 6, {
      afterMs: 300,
      run: async () => {
        await platform.pg.stopServer('fast');
        await new Promise((r) => setTimeout(r, 1_000));
        readyWhileDown = await platform.serviceReady('tenants');
        await new Promise((r) => setTimeout(r, 500));
        await platform.pg.startServer();
        readyDuring = Date.now();
      },
    });
    const allActiveAt = await platform.untilActive(outcomes.map((o) => o.tenant.id));
    const end = await platform.endState(outcomes.map((o) => o.tenant));
    report({ case: 'Postgres restarted (down 1.5 s)', created: outcomes.length, active: end.active, duplicates: end.duplicates, lost_events: end.lostEvents, recover_ms: allActiveAt - (readyDuring ?? faultEndedAt) });
    expect(end.problems).toEqual([]);
    // Not ready while its Postgres was down; ready again after.
    expect(readyWhileDown).toBe(503);
    for (const s of PLATFORM_SERVICES) expect(await platform.serviceReady(s)).toBe(200);
    expect(end.active).toBe(6);
    expect(await platform.orphans()).toEqual([]);
    // The services' LISTEN connections came back too: a new sign-up is provisioned at once.
    const { outcomes: after } = await platform.signUpBurst('pg-after', 1);
    await platform.untilActive(after.map((o) => o.tenant.id), 30_000);
  });
});
