/**
 * Backups of a big tenant (issue 10): a dedicated tenant database of BENCH_BACKUP_MB (default 200) MB,
 * the real backups service (a process of its own, filesystem storage), in one run on this machine:
 *
 * - backup: `POST …/backups` until `completed` (snapshot, `pg_dump -Fc` streamed through sha256 to
 *   storage, row counts, every part read back and checked, manifest) against a bare `pg_dump -Fc` of
 *   the same database to the same disk — goal ≥ 0.9× its throughput (time ≤ 1/0.9 of the bare one);
 * - restore: an in-place restore's database step (`pg_restore` into a fresh database, swap) against a
 *   bare `pg_restore` of the bare dump into a new database — goal ≥ 0.9×; the whole restore (validated
 *   archive, safety backup, stop, swap, start) is reported beside it;
 * - the backups service's RSS, sampled every 50 ms: goal within +64 MB of its idle RSS during both;
 * - a restore drill of the backup: its RTO (the drill's own restore time) and its whole run.
 *
 * Rounds alternate bare and service (BENCH_BACKUP_ROUNDS, default 2) and the best of each is compared,
 * so neither side gets the warmer cache. Provisioning is answered by a fake at its two subjects (where
 * the data is; instance stop/start).
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
const ROUNDS = Number(process.env.BENCH_BACKUP_ROUNDS ?? 2);
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
  restoreDatabaseSeconds: number[];
  restoreTotalSeconds: number[];
  restoreRatio: number;
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
    proc = await startService('backups', env.env({ BACKUP_DIR: storageDir, TENANT_DATABASE_ADMIN_URL: TEST_PG_ADMIN_URL, BACKUP_LEASE_MS: '60000', LOG_LEVEL: 'warn' }));
    const pid = proc.child.pid;
    const rpc = new RpcClient(nc, naming, 30_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const idleRssMb = rssMb(pid);

    const finished = <T extends { status: string }>(get: () => Promise<T>, what: string) =>
      waitFor(async () => {
        const v = await get();
        if (v.status === 'failed') throw new Error(`${what} failed: ${JSON.stringify(v)}`);
        return v.status === 'completed' ? v : null;
      }, what, 30 * 60_000, 50);

    const bareDumpSeconds: number[] = [];
    const backupSeconds: number[] = [];
    let backupPeakRssMb = idleRssMb;
    let backupCpuSeconds: number | null = null;
    let last: BackupView | undefined;
    const bareDump = path.join(dir, 'bare.dump');
    for (let i = 0; i < rounds; i++) {
      await rm(bareDump, { force: true });
      let t0 = performance.now();
      await run('pg_dump', ['--format=custom', '--no-password', `--file=${bareDump}`], libpq(name));
      bareDumpSeconds.push(seconds(t0));

      const peak = rssPeak(pid);
      const cpu0 = cpuMs(pid);
      t0 = performance.now();
      const accepted = await rpc.call(BackupsRpc.create, { caller: admin, tenant_id: tenantId });
      last = await finished(() => rpc.call(BackupsRpc.get, { caller: admin, tenant_id: tenantId, backup_id: accepted.backup.id }), 'backup');
      backupSeconds.push(seconds(t0));
      const cpu1 = cpuMs(pid);
      if (cpu0 !== null && cpu1 !== null) backupCpuSeconds = (cpu1 - cpu0) / 1000;
      backupPeakRssMb = Math.max(backupPeakRssMb, peak.stop());
    }
    const dumpBytes = last!.parts.find((p) => p.name === 'database')!.size_bytes;

    const bareRestoreSeconds: number[] = [];
    const restoreDatabaseSeconds: number[] = [];
    const restoreTotalSeconds: number[] = [];
    let restorePeakRssMb = idleRssMb;
    for (let i = 0; i < rounds; i++) {
      const target = `${name}_bare_${i}`;
      await adminQuery('postgres', `CREATE DATABASE ${target} OWNER ${name}`);
      let t0 = performance.now();
      await run('pg_restore', ['--no-password', '--single-transaction', '--exit-on-error', `--dbname=${target}`, bareDump], libpq(target));
      bareRestoreSeconds.push(seconds(t0));
      await adminQuery('postgres', `DROP DATABASE ${target} WITH (FORCE)`);

      const peak = rssPeak(pid);
      t0 = performance.now();
      const accepted = await rpc.call(BackupsRpc.restore, { caller: admin, tenant_id: tenantId, backup_id: last!.id });
      // The database step's span, from the restore's own steps (polled every 50 ms).
      let stepStarted: number | null = null;
      let stepEnded: number | null = null;
      await finished(async () => {
        const r = await rpc.call(BackupsRpc.restoreGet, { caller: admin, tenant_id: tenantId, restore_id: accepted.restore.id });
        const now = performance.now();
        if (r.step === 'restoring database' && stepStarted === null) stepStarted = now;
        if (stepStarted !== null && stepEnded === null && r.step !== 'restoring database') stepEnded = now;
        return r;
      }, 'restore');
      restoreTotalSeconds.push(seconds(t0));
      restoreDatabaseSeconds.push(((stepEnded ?? performance.now()) - (stepStarted ?? t0)) / 1000);
      restorePeakRssMb = Math.max(restorePeakRssMb, peak.stop());
    }

    const drillAccepted = await rpc.call(BackupsRpc.drill, { caller: admin, backup_id: last!.id });
    const t0 = performance.now();
    const drill = await finished(() => rpc.call(BackupsRpc.drillGet, { caller: admin, backup_id: last!.id, drill_id: drillAccepted.drill.id }), 'drill');
    const drillTotalSeconds = seconds(t0);

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
      restoreDatabaseSeconds,
      restoreTotalSeconds,
      restoreRatio: best(bareRestoreSeconds) / best(restoreDatabaseSeconds),
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
| Backup (dump ${f(r.dumpMb, 0)} MB) | ${list(r.bareDumpSeconds)} | ${list(r.backupSeconds)} | **${f(r.backupRatio)}** | ${backupOk ? 'met' : 'missed'} |
| Restore, database step | ${list(r.bareRestoreSeconds)} | ${list(r.restoreDatabaseSeconds)} | **${f(r.restoreRatio)}** | ${restoreOk ? 'met' : 'missed'} |
| Restore, whole (validation, safety backup, stop, swap, start) | — | ${list(r.restoreTotalSeconds)} | — | |

- The service's backup is request → \`completed\`: snapshot, \`pg_dump -Fc\` streamed through sha256 into storage, the
  tables' row counts in the dump's snapshot, every part read back and its sha256 checked, the manifest written and
  checked. Its CPU in the last round: ${r.backupCpuSeconds === null ? 'n/a' : `${f(r.backupCpuSeconds)} s`} (the dump's compression is pg_dump's, not the service's).
- The restore's database step is \`pg_restore\` into a fresh database as one transaction, then the swap by rename; the
  whole restore also validates every part's sha256 and takes the \`pre_restore\` safety backup (a full dump) first.
- RSS of the backups service: idle ${f(r.idleRssMb, 0)} MB, peak ${f(r.backupPeakRssMb, 0)} MB during backups (+${f(r.backupPeakRssMb - r.idleRssMb, 0)}),
  ${f(r.restorePeakRssMb, 0)} MB during restores (+${f(r.restorePeakRssMb - r.idleRssMb, 0)}); goal within +${RSS_TARGET_MB} MB: ${rssOk ? 'met' : 'missed'}.
- Restore drill of the backup: RTO (its restore into a scratch database) **${f(r.drillRestoreSeconds)} s**; the whole drill (checksums,
  restore, row counts of every table compared, scratch database dropped) ${f(r.drillTotalSeconds)} s.
`;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const result = await runBackupBench();
  console.log(JSON.stringify(result, null, 2));
  const { writeSection } = await import('./sections.js');
  await writeSection(BACKUP_BENCH_TITLE, backupBenchReport(result));
  console.log('written to docs/benchmarks.md');
}
