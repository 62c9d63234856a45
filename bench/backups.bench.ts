/**
 * Backups of a big tenant (issue 10): a dedicated tenant database of BENCH_BACKUP_MB (default 200) MB,
 * the real backups service (a process of its own, filesystem storage), in one run on this machine:
 *
 * - backup: `POST …/backups` until `completed` (snapshot, `pg_dump -Fc` streamed through sha256 to
 *   storage, row counts, every part verified, manifest) against a bare `pg_dump -Fc` of the same
 *   database to the same disk, same options — goal ≥ 0.9× its throughput (time ≤ 1/0.9 of the bare one);
 * - restore: an in-place restore's database step (`pg_restore` into a fresh database, swap) against a
 *   bare `pg_restore --single-transaction` of the bare dump into a new database — goal ≥ 0.9×; beside
 *   it, a bare `pg_restore --jobs` with the service's job count (like for like), and the whole restore
 *   (validated archive, safety backup, stop, swap, start);
 * - the backups service's RSS, sampled every 50 ms: goal within +64 MB of its idle RSS during both;
 * - a restore drill of the backup: its RTO (the drill's own restore time) and its whole run.
 *
 * The service's times are its own records, not when a poll happened to see them: a backup from the
 * request to its `completed_at`, a restore's database step between the service's "restore step" log
 * lines (entering it, entering the next). Polling every 50 ms to time them cost the service ~4 ms of
 * CPU a poll, on a small machine taken from pg_dump itself; the bench polls every 250 ms only to learn
 * that a run ended. Rounds alternate bare and service (BENCH_BACKUP_ROUNDS, default 3) and the best of
 * each is compared, so neither side gets the warmer cache. Provisioning is answered by a fake at its
 * two subjects (where the data is; instance stop/start).
 *
 *   npm run build && node dist/bench/backups.bench.js        # writes its section of docs/benchmarks.md
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  BackupsRpc,
  ProvisioningRpc,
  type BackupView,
  type CallerDto,
  type InstancePowerRequest,
  type TenantDataLocation } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { respondRpc, startService, TEST_PG_ADMIN_URL, TestEnv, waitFor, type ManagedProcess } from '@saas/testing';
import { cpuMs } from './provisioning.bench.js';

const TARGET_MB = Number(process.env.BENCH_BACKUP_MB ?? 200);
const ROUNDS = Number(process.env.BENCH_BACKUP_ROUNDS ?? 3);
/** The service's BACKUP_RESTORE_JOBS (its default), and the bare `pg_restore --jobs` compared like for like. */
const RESTORE_JOBS = 2;
const POLL_MS = 250;
const RATIO_TARGET = 0.9;
const RSS_TARGET_MB = 64;
const admin: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['user', 'admin'] };

export interface BackupBenchResult {
  databaseMb: number;
  dumpMb: number;
  rounds: number;
  bareDumpSeconds: number[];
  backupSeconds: number[];
  backupRatio: number;
  bareRestoreSeconds: number[];
  bareParallelRestoreSeconds: number[];
  restoreJobs: number;
  restoreDatabaseSeconds: number[];
  restoreTotalSeconds: number[];
  restoreRatio: number;
  parallelRestoreRatio: number;
  idleRssMb: number;
  backupPeakRssMb: number;
  restorePeakRssMb: number;
  backupCpuSeconds: number | null;
  drillRestoreSeconds: number;
  drillTotalSeconds: number;
  drillTables: number;
  loadAverage: number[];
}

const mb = (bytes: number) => bytes / 1024 / 1024;
const seconds = (fromMs: number) => (performance.now() - fromMs) / 1000;

/** A process's resident set (MB), from /proc; 0 where it cannot be read. */
function rssMb(pid: number | undefined): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every 50 ms until stopped; resolves with the peak (MB). */
function rssPeak(pid: number | undefined): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid));
    },
  };
}

function run(command: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${err.trim()}`))));
  });
}

function libpq(database: string): Record<string, string> {
  const url = new URL(TEST_PG_ADMIN_URL);
  return {
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username || 'postgres'),
    ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}),
    PGDATABASE: database,
  };
}

async function adminQuery<T extends pg.QueryResultRow>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${database}`;
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** A dedicated tenant laid out as provisioning makes it (role + database + schema `tenant_<slug>`), filled to `targetMb`. */
async function bigTenant(name: string, targetMb: number): Promise<number> {
  await adminQuery('postgres', `CREATE ROLE ${name} NOLOGIN`);
  await adminQuery('postgres', `CREATE DATABASE ${name} OWNER ${name}`);
  await adminQuery(name, `CREATE SCHEMA ${name} AUTHORIZATION ${name}; SET ROLE ${name};
    CREATE TABLE ${name}.orders (id bigint PRIMARY KEY, customer text NOT NULL, note text NOT NULL, amount numeric(12,2) NOT NULL, created_at timestamptz NOT NULL);
    CREATE TABLE ${name}.order_events (id bigserial PRIMARY KEY, order_id bigint NOT NULL, kind text NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
  let rows = 0;
  for (;;) {
    const [size] = await adminQuery<{ bytes: string }>(name, `SELECT pg_database_size(current_database())::text AS bytes`);
    if (mb(Number(size!.bytes)) >= targetMb) return Number(size!.bytes);
    const batch = 250_000;
    await adminQuery(
      name,
      `SET ROLE ${name};
       INSERT INTO ${name}.orders SELECT g, 'customer-' || (g % 5000), md5(g::text) || ' ' || md5(random()::text) || ' ' || repeat(chr(97 + (g % 26)), g % 40), (g % 100000) / 100.0, now() - make_interval(secs => g)
         FROM generate_series(${rows + 1}, ${rows + batch}) g;
       INSERT INTO ${name}.order_events (order_id, kind) SELECT g, (ARRAY['created', 'paid', 'shipped'])[1 + g % 3] FROM generate_series(${rows + 1}, ${rows + batch}, 4) g;
       ANALYZE ${name}.orders`,
    );
    rows += batch;
  }
}

export async function runBackupBench(targetMb = TARGET_MB, rounds = ROUNDS): Promise<BackupBenchResult> {
  const env = await TestEnv.create('bench_backups');
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-backups-'));
  const name = `tenant_bench_bk_${randomBytes(3).toString('hex')}`;
  const tenantId = randomUUID();
  let proc: ManagedProcess | undefined;
  try {
    const databaseBytes = await bigTenant(name, targetMb);
    const nc = await env.nats();
    const naming = new SubjectNaming(env.prefix);
    const location: TenantDataLocation = {
      tenant_id: tenantId,
      slug: name.slice('tenant_'.length).replace(/_/g, '-'),
      plan: 'premium',
      runtime: 'local',
      app_version: null,
      database: { strategy: 'dedicated', database: name, schema: name, role: name },
      files: null,
    };
    const subs = [
      respondRpc(nc, naming, ProvisioningRpc.internalTenantData, () => location),
      respondRpc(nc, naming, ProvisioningRpc.internalInstancePower, (req: InstancePowerRequest) => ({ tenant_id: req.tenant_id, status: req.action === 'stop' ? 'stopped' : 'running' })),
    ];
    await nc.flush();
    const storageDir = path.join(dir, 'storage');
    proc = await startService(
      'backups',
      env.env({ BACKUP_DIR: storageDir, TENANT_DATABASE_ADMIN_URL: TEST_PG_ADMIN_URL, BACKUP_LEASE_MS: '60000', BACKUP_RESTORE_JOBS: String(RESTORE_JOBS), LOG_LEVEL: 'warn' }),
    );
    const service = proc;
    const pid = proc.child.pid;
    const rpc = new RpcClient(nc, naming, 30_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const idleRssMb = rssMb(pid);

    const finished = <T extends { status: string }>(get: () => Promise<T>, what: string) =>
      waitFor(async () => {
        const v = await get();
        if (v.status === 'failed') throw new Error(`${what} failed: ${JSON.stringify(v)}`);
        return v.status === 'completed' ? v : null;
      }, what, 30 * 60_000, POLL_MS);
    /** When the service entered each step of a restore (ms since the epoch), from its "restore step" log lines. */
    const stepsOf = (restoreId: string) =>
      service
        .output()
        .split('\n')
        .flatMap((line) => {
          if (!line.includes(restoreId) || !line.includes('"restore step"')) return [];
          const entry = JSON.parse(line) as { msg: string; time: string; restore_id: string; step: string };
          return entry.msg === 'restore step' && entry.restore_id === restoreId ? [{ step: entry.step, at: Date.parse(entry.time) }] : [];
        });

    const bareDumpSeconds: number[] = [];
    const backupSeconds: number[] = [];
    let backupPeakRssMb = idleRssMb;
    let backupCpuSeconds: number | null = null;
    let last: BackupView | undefined;
    const bareDump = path.join(dir, 'bare.dump');
    for (let i = 0; i < rounds; i++) {
      await rm(bareDump, { force: true });
      const t0 = performance.now();
      await run('pg_dump', ['--format=custom', '--no-password', `--file=${bareDump}`], libpq(name));
      bareDumpSeconds.push(seconds(t0));

      const peak = rssPeak(pid);
      const cpu0 = cpuMs(pid);
      const requestedAt = Date.now();
      const accepted = await rpc.call(BackupsRpc.create, { caller: admin, tenant_id: tenantId });
      last = await finished(() => rpc.call(BackupsRpc.get, { caller: admin, tenant_id: tenantId, backup_id: accepted.backup.id }), 'backup');
      backupSeconds.push((Date.parse(last.completed_at!) - requestedAt) / 1000);
      const cpu1 = cpuMs(pid);
      if (cpu0 !== null && cpu1 !== null) backupCpuSeconds = (cpu1 - cpu0) / 1000;
      backupPeakRssMb = Math.max(backupPeakRssMb, peak.stop());
    }
    const dumpBytes = last!.parts.find((p) => p.name === 'database')!.size_bytes;

    const bareRestoreSeconds: number[] = [];
    const bareParallelRestoreSeconds: number[] = [];
    const restoreDatabaseSeconds: number[] = [];
    const restoreTotalSeconds: number[] = [];
    let restorePeakRssMb = idleRssMb;
    /** A bare pg_restore of the bare dump into a new database, as the tool's user would run it. */
    const bareRestore = async (target: string, options: string[]) => {
      await adminQuery('postgres', `CREATE DATABASE ${target} OWNER ${name}`);
      const t0 = performance.now();
      await run('pg_restore', ['--no-password', ...options, '--exit-on-error', `--dbname=${target}`, bareDump], libpq(target));
      const took = seconds(t0);
      await adminQuery('postgres', `DROP DATABASE ${target} WITH (FORCE)`);
      return took;
    };
    for (let i = 0; i < rounds; i++) {
      bareRestoreSeconds.push(await bareRestore(`${name}_bare_${i}`, ['--single-transaction']));

      const peak = rssPeak(pid);
      const requestedAt = Date.now();
      const accepted = await rpc.call(BackupsRpc.restore, { caller: admin, tenant_id: tenantId, backup_id: last!.id });
      const restored = await finished(() => rpc.call(BackupsRpc.restoreGet, { caller: admin, tenant_id: tenantId, restore_id: accepted.restore.id }), 'restore');
      restoreTotalSeconds.push((Date.parse(restored.completed_at!) - requestedAt) / 1000);
      // The database step: from entering it to entering the next step (the swap done).
      const steps = stepsOf(accepted.restore.id);
      const at = steps.findIndex((s) => s.step === 'restoring database');
      if (at < 0 || at + 1 >= steps.length) throw new Error(`no "restore step" log lines around the database step of restore ${accepted.restore.id}: ${JSON.stringify(steps)}`);
      restoreDatabaseSeconds.push((steps[at + 1]!.at - steps[at]!.at) / 1000);
      restorePeakRssMb = Math.max(restorePeakRssMb, peak.stop());

      bareParallelRestoreSeconds.push(await bareRestore(`${name}_barej_${i}`, [`--jobs=${RESTORE_JOBS}`]));
    }

    const drillRequestedAt = Date.now();
    const drillAccepted = await rpc.call(BackupsRpc.drill, { caller: admin, backup_id: last!.id });
    const drill = await finished(() => rpc.call(BackupsRpc.drillGet, { caller: admin, backup_id: last!.id, drill_id: drillAccepted.drill.id }), 'drill');
    const drillTotalSeconds = (Date.parse(drill.completed_at!) - drillRequestedAt) / 1000;

    for (const s of subs) s.unsubscribe();
    const best = (xs: number[]) => Math.min(...xs);
    return {
      databaseMb: mb(databaseBytes),
      dumpMb: mb(dumpBytes),
      rounds,
      bareDumpSeconds,
      backupSeconds,
      backupRatio: best(bareDumpSeconds) / best(backupSeconds),
      bareRestoreSeconds,
      bareParallelRestoreSeconds,
      restoreJobs: RESTORE_JOBS,
      restoreDatabaseSeconds,
      restoreTotalSeconds,
      restoreRatio: best(bareRestoreSeconds) / best(restoreDatabaseSeconds),
      parallelRestoreRatio: best(bareParallelRestoreSeconds) / best(restoreDatabaseSeconds),
      idleRssMb,
      backupPeakRssMb,
      restorePeakRssMb,
      backupCpuSeconds,
      drillRestoreSeconds: drill.restore_seconds!,
      drillTotalSeconds,
      drillTables: drill.tables.length,
      loadAverage: loadavg(),
    };
  } finally {
    await proc?.kill('SIGTERM');
    for (const db of await adminQuery<{ datname: string }>('postgres', `SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${name}%`])) {
      await adminQuery('postgres', `DROP DATABASE IF EXISTS "${db.datname}" WITH (FORCE)`).catch(() => undefined);
    }
    await adminQuery('postgres', `DROP ROLE IF EXISTS ${name}`).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await env.cleanup();
  }
}

export const BACKUP_BENCH_TITLE = 'Backups: a big tenant’s backup and restore vs bare pg_dump / pg_restore';

const f = (n: number, digits = 2) => n.toFixed(digits);
const list = (xs: number[]) => xs.map((x) => f(x)).join(', ');

export function backupBenchReport(r: BackupBenchResult): string {
  const backupOk = r.backupRatio >= RATIO_TARGET;
  const restoreOk = r.restoreRatio >= RATIO_TARGET;
  const rssOk = r.backupPeakRssMb - r.idleRssMb <= RSS_TARGET_MB && r.restorePeakRssMb - r.idleRssMb <= RSS_TARGET_MB;
  return `## ${BACKUP_BENCH_TITLE}

\`npm run build && node dist/bench/backups.bench.js\` (\`BENCH_BACKUP_MB\`, \`BENCH_BACKUP_ROUNDS\`): a dedicated tenant
database of ${f(r.databaseMb, 0)} MB (two tables, ${r.drillTables} restored by the drill), the backups service as its own process
with filesystem storage, and the bare tools on the same database and disk, alternating, ${r.rounds} rounds; the best of
each side is compared. Load average at the end: ${r.loadAverage.map((l) => f(l)).join(' / ')}.

| | Bare tool (s) | Backups service (s) | Ratio (goal ≥ ${RATIO_TARGET}) | |
|---|---:|---:|---:|---|
| Backup (dump ${f(r.dumpMb, 0)} MB) vs \`pg_dump -Fc --file\` | ${list(r.bareDumpSeconds)} | ${list(r.backupSeconds)} | **${f(r.backupRatio)}** | ${backupOk ? 'met' : 'missed'} |
| Restore, database step vs \`pg_restore --single-transaction\` | ${list(r.bareRestoreSeconds)} | ${list(r.restoreDatabaseSeconds)} | **${f(r.restoreRatio)}** | ${restoreOk ? 'met' : 'missed'} |
| Restore, database step vs \`pg_restore --jobs=${r.restoreJobs}\` (like for like) | ${list(r.bareParallelRestoreSeconds)} | (same) | ${f(r.parallelRestoreRatio)} | not a goal |
| Restore, whole (validation, safety backup, stop, swap, start) | — | ${list(r.restoreTotalSeconds)} | — | |

- Backup: the bare side is \`pg_dump --format=custom --file=…\` (its default compression; pg_dump fsyncs the file); the
  service runs pg_dump with the same options (plus \`--snapshot\`, the snapshot its row counts are taken in) and is
  timed from the request to the \`completed_at\` it records: claim, snapshot, the dump streamed through sha256 into a
  \`.partial-\` file that is fsynced, renamed onto its key and its folder fsynced (one fsync more), the tables' row
  counts, each part verified (filesystem storage: the stored file's size against the bytes hashed, ADR 0020; s3 and
  encrypted storage read every part back and check its sha256), the manifest written and verified, the row
  committed. Its CPU in the last round: ${r.backupCpuSeconds === null ? 'n/a' : `${f(r.backupCpuSeconds)} s`} (the dump's compression is pg_dump's, not the service's).
- Restore: the goal's ratio compares the service's database step with a bare \`pg_restore --single-transaction\` of the
  same dump into a new database created before the clock starts. The service's step is timed between its own "restore
  step" log lines: creating the staged database, \`pg_restore --jobs=${r.restoreJobs}\` (BACKUP_RESTORE_JOBS) reading the stored
  file (a fresh database dropped if anything fails, so one transaction would buy nothing), the swap by rename. Its
  edge over the goal's baseline is those parallel jobs: the like-for-like row gives the bare tool the same \`--jobs\`.
  The whole restore also validates every part's sha256 and takes the \`pre_restore\` safety backup (a full dump) first.
- The service's times are its own records; the bench polls every ${POLL_MS} ms only to learn that a run ended (polling
  every 50 ms cost the service ~4 ms of CPU a poll, taken on a 2-CPU machine from pg_dump itself).
- RSS of the backups service: idle ${f(r.idleRssMb, 0)} MB, peak ${f(r.backupPeakRssMb, 0)} MB during backups (+${f(r.backupPeakRssMb - r.idleRssMb, 0)}),
  ${f(r.restorePeakRssMb, 0)} MB during restores (+${f(r.restorePeakRssMb - r.idleRssMb, 0)}); goal within +${RSS_TARGET_MB} MB: ${rssOk ? 'met' : 'missed'}.
- Restore drill of the backup: RTO (its restore into a scratch database, \`--jobs=${r.restoreJobs}\`) **${f(r.drillRestoreSeconds)} s**; the whole
  drill (checksums, restore, row counts of every table compared, scratch database dropped) ${f(r.drillTotalSeconds)} s.
`;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const result = await runBackupBench();
  console.log(JSON.stringify(result, null, 2));
  const { writeSection } = await import('./sections.js');
  await writeSection(BACKUP_BENCH_TITLE, backupBenchReport(result));
  console.log('written to docs/benchmarks.md');
}
