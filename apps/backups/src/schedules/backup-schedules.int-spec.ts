import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BackupsRpc, EventTypes, PLAN_CATALOGUE, type SubscriptionEventData, type CallerDto } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { publishEvent, readEvents, TEST_PG_ADMIN_URL, TestEnv, waitFor } from '@saas/testing';
import { FakeProvisioningModule } from '../../test/fake-provisioning.module.js';
import { admin, makeTenant, rejection, run } from '../../test/tenant-fixtures.js';
import { AppModule } from '../app.module.js';
import { backupsConfigSchema } from '../config.js';
import { backupsEntities } from '../entities.js';
import { backupsMigrations } from '../migrations/index.js';

const caller: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['user'] };

describe('backups service: schedules and retention (two replicas, real Postgres + NATS)', () => {
  let env: TestEnv;
  const replicas: RunningService[] = [];
  let fake: RunningService;
  let rpc: RpcClient;
  let backupDir: string;
  let filesRoot: string;
  const sharedDb = `t_sc_shared_${run}`;
  const made: Array<{ name: string; database: string }> = [];

  beforeAll(async () => {
    env = await TestEnv.create('schedules');
    backupDir = await mkdtemp(path.join(tmpdir(), 'schedules-'));
    filesRoot = await mkdtemp(path.join(tmpdir(), 'schedule-files-'));
    await admin(`CREATE DATABASE ${sharedDb}`);
    fake = await bootstrapService({ service: 'fake_provisioning', module: FakeProvisioningModule, entities: [], migrations: [], env: env.env() });
    for (let i = 0; i < 2; i++) {
      replicas.push(
        await bootstrapService({
          service: 'backups',
          module: AppModule,
          entities: backupsEntities,
          migrations: backupsMigrations,
          configSchema: backupsConfigSchema,
          env: env.env({ BACKUP_DIR: backupDir, BACKUP_POLL_MS: '50', BACKUP_SCHEDULER_TICK_MS: '100', TENANT_DATABASE_ADMIN_URL: TEST_PG_ADMIN_URL }),
        }),
      );
    }
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 10_000);
  }, 60_000);

  afterAll(async () => {
    for (const r of replicas) await r.shutdown();
    await fake?.shutdown();
    await env?.cleanup();
    await admin(`DROP DATABASE IF EXISTS ${sharedDb} WITH (FORCE)`).catch(() => undefined);
    for (const t of made) await admin(`DROP ROLE IF EXISTS ${t.name}`).catch(() => undefined);
    await rm(backupDir, { recursive: true, force: true });
    await rm(filesRoot, { recursive: true, force: true });
  }, 60_000);

  const sql = async (text: string, params: unknown[] = []) => {
    const c = await env.pg();
    try {
      return (await c.query(text, params)).rows as Array<Record<string, unknown>>;
    } finally {
      await c.end();
    }
  };
  const scheduled = async (tenantId: string) =>
    (await rpc.call(BackupsRpc.list, { caller, tenant_id: tenantId, type: 'scheduled', page_size: 100 })).results;
  /**
   * Makes the schedule due now and waits until the scheduled backups it queued are done; returns those
   * (rows not in `seen`, which it then adds). New rows are told by id, not counted: once the newest
   * completes, keep-last may delete the oldest at the very next tick, so the count can go 2 → 3 → 2 between
   * two polls of a slow machine (which is what the old `count > had` wait missed, for minutes).
   */
  const dueOnce = async (tenantId: string, seen: Set<string>) => {
    await sql(`UPDATE backups.backup_schedules SET next_run_at = now() - interval '1 second' WHERE tenant_id = $1`, [tenantId]);
    await waitFor(async () => {
      const [s] = await sql(`SELECT next_run_at > now() AS moved FROM backups.backup_schedules WHERE tenant_id = $1`, [tenantId]);
      return s!.moved === true;
    }, 'schedule moved to its next run', 15_000);
    const fresh = await waitFor(async () => {
      const all = await sql(`SELECT id, status FROM backups.backups WHERE tenant_id = $1 AND type = 'scheduled' ORDER BY created_at`, [tenantId]);
      const added = all.filter((b) => !seen.has(b.id as string));
      return added.length > 0 && all.every((b) => b.status === 'completed' || b.status === 'failed') ? added : null;
    }, 'scheduled backup done', 60_000);
    for (const b of fresh) seen.add(b.id as string);
    return fresh;
  };

  it('shows the plan’s default until set, and refuses bad schedules, bad zones and retention over the plan’s caps', async () => {
    const t = await makeTenant('dflt', 'shared', sharedDb, filesRoot, 3);
    made.push(t);
    const initial = await rpc.call(BackupsRpc.scheduleGet, { caller, tenant_id: t.tenantId });
    expect(initial).toMatchObject({ configured: false, enabled: false, schedule: 'daily 02:00', cron: '0 2 * * *', timezone: 'UTC', keep_last: 7, keep_days: 7, limits: { max_keep_last: 7, max_keep_days: PLAN_CATALOGUE.standard.limits.backup_retention_days } });

    for (const [body, field] of [
      [{ schedule: 'daily 25:00' }, 'schedule'],
      [{ schedule: '61 * * * *' }, 'schedule'],
      [{ schedule: 'daily 02:00', timezone: 'Mars/Olympus' }, 'timezone'],
      [{ schedule: 'daily 02:00', keep_last: 8 }, 'keep_last'],
      [{ schedule: 'daily 02:00', keep_days: PLAN_CATALOGUE.standard.limits.backup_retention_days + 1 }, 'keep_days'],
      [{ schedule: 'daily 02:00', keep_last: null, keep_days: null }, 'keep_last'],
    ] as const) {
      const err = await rejection(rpc.call(BackupsRpc.schedulePut, { caller, tenant_id: t.tenantId, ...body }));
      expect({ body, code: err.code, fields: err.errors?.map((e) => e.field) }).toEqual({ body, code: 'VALIDATION_FAILED', fields: [field] });
    }

    const set = await rpc.call(BackupsRpc.schedulePut, { caller, tenant_id: t.tenantId, schedule: 'weekly mon 03:30', timezone: 'Europe/Paris', keep_last: 5 });
    expect(set).toMatchObject({ configured: true, enabled: true, cron: '30 3 * * 1', timezone: 'Europe/Paris', keep_last: 5, keep_days: 7 });
    const next = new Date(set.next_run_at!);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getUTCDay()).toBe(1);
    expect(await rpc.call(BackupsRpc.scheduleGet, { caller, tenant_id: t.tenantId })).toEqual(set);
    // The tenants service shows the next run as the tenant's next_backup_at from this event.
    const changed = await waitFor(async () => (await readEvents(await env.nats(), env.prefix, [EventTypes.BackupScheduleChanged])).find((e) => e.tenant_id === t.tenantId), 'backup.schedule_changed');
    expect(changed.data).toEqual({ tenant_id: t.tenantId, enabled: true, next_run_at: set.next_run_at, schedule: 'weekly mon 03:30', timezone: 'Europe/Paris' });
  }, 30_000);

  it('retention is the subscription plan’s (from billing’s subscription events): the cap follows an upgrade and a downgrade, a late older event changes nothing, and scheduled backups older than the plan keeps are deleted', async () => {
    const t = await makeTenant('planret', 'shared', sharedDb, filesRoot, 3);
    made.push(t);
    const subscription = async (plan: string, occurredAt = new Date()) => {
      const data: SubscriptionEventData = {
        subscription_id: randomUUID(), tenant_id: t.tenantId, plan: plan as SubscriptionEventData['plan'], status: 'active', billing_cycle: 'monthly', max_users: 5, amount: 0,
        currency: 'USD', is_active: true, current_period_start: occurredAt.toISOString(), current_period_end: occurredAt.toISOString(), start_date: occurredAt.toISOString(), cancel_at_period_end: false,
      };
      return publishEvent(await env.nats(), env.prefix, { type: EventTypes.SubscriptionUpdated, tenantId: t.tenantId, data, occurredAt });
    };
    const capOf = async () => (await rpc.call(BackupsRpc.scheduleGet, { caller, tenant_id: t.tenantId })).limits.max_keep_days;
    const untilCap = (days: number, what: string) => waitFor(async () => ((await capOf()) === days ? true : null), what, 15_000);

    await subscription('premium');
    await untilCap(PLAN_CATALOGUE.premium.limits.backup_retention_days, 'premium’s retention after the upgrade');
    const premiumDays = PLAN_CATALOGUE.premium.limits.backup_retention_days;
    await expect(rpc.call(BackupsRpc.schedulePut, { caller, tenant_id: t.tenantId, schedule: 'hourly', keep_last: 3, keep_days: premiumDays })).resolves.toMatchObject({ keep_days: premiumDays });

    await subscription('free');
    const freeDays = PLAN_CATALOGUE.free.limits.backup_retention_days;
    await untilCap(freeDays, 'free’s retention after the downgrade');
    // An event older than the one applied (delivered late) does not bring premium back.
    const late = await subscription('enterprise', new Date(Date.now() - 3_600_000));
    await waitFor(async () => ((await sql(`SELECT 1 FROM backups.inbox WHERE event_id = $1`, [late.id])).length ? true : null), 'the late event handled', 15_000);
    expect(await capOf()).toBe(freeDays);
    const refused = await rejection(rpc.call(BackupsRpc.schedulePut, { caller, tenant_id: t.tenantId, schedule: 'hourly', keep_last: 3, keep_days: premiumDays }));
    expect([refused.code, refused.errors?.[0]?.message]).toEqual(['VALIDATION_FAILED', `the free plan keeps scheduled backups at most ${freeDays} days`]);

    // The schedule still says premium's days (set before the downgrade): the plan's retention wins for what is kept.
    const seen = new Set<string>();
    const [first] = await dueOnce(t.tenantId, seen);
    const [row] = await sql(`SELECT extract(epoch FROM expires_at - completed_at)::int AS kept_s FROM backups.backups WHERE id = $1`, [first!.id]);
    expect(row!.kept_s).toBe(freeDays * 86_400);
    // One older than the plan keeps (keep_last alone would keep it): retention deletes it, not the new one.
    const [second] = await dueOnce(t.tenantId, seen);
    await sql(`UPDATE backups.backups SET created_at = now() - make_interval(days => $2), expires_at = NULL WHERE id = $1`, [first!.id, freeDays + 1]);
    await waitFor(async () => ((await scheduled(t.tenantId)).every((b) => b.id !== first!.id) ? true : null), 'the backup older than the plan keeps deleted', 15_000);
    expect((await scheduled(t.tenantId)).map((b) => b.id)).toEqual([second!.id]);
  }, 120_000);

  it('runs a due schedule exactly once across two replicas, and keeps only the newest keep_last backups', async () => {
    const t = await makeTenant('sched', 'shared', sharedDb, filesRoot, 3);
    made.push(t);
    await rpc.call(BackupsRpc.schedulePut, { caller, tenant_id: t.tenantId, schedule: 'hourly', keep_last: 2, keep_days: 7 });

    const seen = new Set<string>();
    const runs: string[] = [];
    for (let i = 0; i < 3; i++) {
      // Each due moment queues exactly one backup, whichever replica ticked first.
      const fresh = await dueOnce(t.tenantId, seen);
      expect(fresh.map((b) => b.status)).toEqual(['completed']);
      runs.push(fresh[0]!.id as string);
    }
    // Every run announced where it moved the schedule: the last announcement is the schedule's next run.
    const [schedule] = await sql(`SELECT next_run_at FROM backups.backup_schedules WHERE tenant_id = $1`, [t.tenantId]);
    const moves = await waitFor(async () => {
      const all = (await readEvents(await env.nats(), env.prefix, [EventTypes.BackupScheduleChanged])).filter((e) => e.tenant_id === t.tenantId);
      return all.length === 4 ? all : null;
    }, 'one backup.schedule_changed for the PUT and one per run', 15_000);
    expect(moves.at(-1)!.data.next_run_at).toBe((schedule!.next_run_at as Date).toISOString());
    // Three ran; keep-last 2 deletes the oldest, archive and row.
    const kept = await waitFor(async () => {
      const list = await scheduled(t.tenantId);
      return list.length === 2 ? list : null;
    }, 'retention kept the newest two', 15_000);
    expect(kept.map((b) => b.id).sort()).toEqual(runs.slice(1).sort());
    const folders = await readdir(path.join(backupDir, t.tenantId));
    expect(folders.sort()).toEqual(runs.slice(1).sort());
    expect(kept.every((b) => b.status === 'completed' && b.expires_at !== null)).toBe(true);
  }, 240_000);

  it('deletes expired archives from storage, but never a manual one without an expiry', async () => {
    const t = await makeTenant('exp', 'shared', sharedDb, filesRoot, 3);
    made.push(t);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await rpc.call(BackupsRpc.create, { caller, tenant_id: t.tenantId })).backup.id);
    await waitFor(async () => {
      const rows = await sql(`SELECT status FROM backups.backups WHERE tenant_id = $1`, [t.tenantId]);
      return rows.length === 2 && rows.every((r) => r.status === 'completed');
    }, 'two backups completed', 30_000);
    await sql(`UPDATE backups.backups SET expires_at = now() - interval '1 minute' WHERE id = $1`, [ids[0]]);
    await waitFor(async () => (await sql(`SELECT 1 FROM backups.backups WHERE id = $1`, [ids[0]])).length === 0, 'expired backup deleted', 15_000);
    expect(await readdir(path.join(backupDir, t.tenantId))).toEqual([ids[1]]);
  }, 60_000);
});
