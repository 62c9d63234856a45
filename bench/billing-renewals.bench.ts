/**
 * A renewal run over N due subscriptions (issue 11: N = 10,000) with the sandbox provider and two
 * billing replicas running at once (real processes, real Postgres and NATS):
 *
 * - invoices per second of the run, against a bare SQL loop inserting the same invoice rows (counter
 *   row + insert, one connection, one transaction) — goal ≥ 0.5×;
 * - exactly N invoices, one per subscription, numbers gapless;
 * - the p99 of the invoice list (`rpc.billing.invoices.list`, what `GET billing/invoices` calls) during the run.
 *
 *   npm run build && node dist/bench/billing-renewals.bench.js          # BENCH_RENEWALS=10000 by default
 */
import { randomUUID } from 'node:crypto';
import { BillingRpc, type CallerDto } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { startService, TestEnv, waitFor, type ManagedProcess } from '@saas/testing';

const N = Number(process.env.BENCH_RENEWALS ?? 10_000);
const IDLE_MS = 5_000;
const admin: CallerDto = { actor: { type: 'user', id: randomUUID() }, roles: ['admin'] };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export interface RenewalBenchResult {
  n: number;
  replicas: number;
  renewalSeconds: number;
  invoicesPerSecond: number;
  bareInvoicesPerSecond: number;
  ratio: number;
  invoices: number;
  distinctSubscriptions: number;
  gapless: boolean;
  listP50Ms: number;
  listP95Ms: number;
  listP99Ms: number;
  listSamples: number;
  /** The same list, the same way, for IDLE_MS before the run (the subscriptions not committed yet): the machine's own noise. */
  idleListP50Ms: number;
  idleListP99Ms: number;
  /** The list's two statements (page + count, as TypeORM sends them) on a connection of their own: the database's share of the p99. */
  sqlP50Ms: number;
  sqlP99Ms: number;
  /** The plan Postgres chose for the page query after the run. */
  listPlan: string;
}

/** What `InvoicesService.list` sends for an admin's first page (TypeORM's getManyAndCount). */
const LIST_PAGE_SQL = `SELECT * FROM billing.invoices i ORDER BY i.issued_at DESC, i.id ASC LIMIT 20`;
const LIST_COUNT_SQL = `SELECT COUNT(*) AS count FROM billing.invoices i`;

export async function runRenewalBench(n = N): Promise<RenewalBenchResult> {
  const env = await TestEnv.create('bench_renewals');
  const procs: ManagedProcess[] = [];
  try {
    const common = env.env({ BILLING_RENEWAL_INTERVAL_MS: '250', LOG_LEVEL: 'warn' });
    // BENCH_CPU_PROF_DIR: a CPU profile of each replica (written when it exits), to see what shares the list's event loop.
    const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
    procs.push(await startService('billing', common, profile), await startService('billing', common, profile));
    const rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 10_000);
    const db = await env.pg();
    try {
      // N subscriptions whose period ended a minute ago, each with a succeeding sandbox card. Inserted
      // in one statement each, so the round starts on all of them at once.
      await db.query('BEGIN');
      await db.query(
        `INSERT INTO billing.subscriptions (id, tenant_id, owner_id, tenant_name, plan, plan_version, status, billing_cycle, currency, max_users,
                start_date, current_period_start, current_period_end, tenant_plan, created_at, updated_at, version)
         SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'Bench ' || i, 'standard', 1, 'active', 'monthly', 'USD', 5,
                now() - interval '1 month', now() - interval '1 month', now() - interval '1 minute', 'standard', now(), now(), 1
           FROM generate_series(1, $1) AS i`,
        [n],
      );
      await db.query(
        `INSERT INTO billing.payment_methods (id, tenant_id, provider, token, brand, last4, exp_month, exp_year, is_default, created_at)
         SELECT gen_random_uuid(), tenant_id, 'sandbox', 'card_sbx_ok_bench', 'visa', '4242', 12, 2035, true, now() FROM billing.subscriptions`,
      );
      const latencies: number[] = [];
      const sqlLatencies: number[] = [];
      let running = true;
      const sampleList = async (into: number[]) => {
        const t0 = performance.now();
        await rpc.call(BillingRpc.invoicesList, { caller: admin, page: 1, page_size: 20 });
        into.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      };
      const idle: number[] = [];
      for (const until = Date.now() + IDLE_MS; Date.now() < until; ) await sampleList(idle);
      const started = Date.now();
      await db.query('COMMIT');

      const probe = await env.pg();
      const sqlProbe = (async () => {
        while (running) {
          const t0 = performance.now();
          await probe.query(LIST_PAGE_SQL);
          await probe.query(LIST_COUNT_SQL);
          sqlLatencies.push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const lister = (async () => {
        while (running) await sampleList(latencies);
      })();
      await waitFor(
        async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM billing.invoices`)).rows[0]!.n >= n,
        `${n} invoices`,
        30 * 60_000,
        100,
      );
      const renewalSeconds = (Date.now() - started) / 1000;
      running = false;
      await lister;
      await sqlProbe;
      const plan = await probe.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${LIST_PAGE_SQL}`);
      await probe.end();

      const check = await db.query<{ invoices: number; subs: number; min: number; max: number }>(
        `SELECT count(*)::int AS invoices, count(DISTINCT subscription_id)::int AS subs,
                min(right(number, 6)::int) AS min, max(right(number, 6)::int) AS max FROM billing.invoices`,
      );
      const c = check.rows[0]!;

      // The bare loop: the same rows, the same counter, one connection, no service around it.
      await db.query(`CREATE TABLE billing.bench_invoices (LIKE billing.invoices INCLUDING ALL)`);
      await db.query(`CREATE TABLE billing.bench_counter (year int PRIMARY KEY, last int NOT NULL)`);
      await db.query(`INSERT INTO billing.bench_counter VALUES (2026, 0)`);
      const template = (await db.query(`SELECT * FROM billing.invoices LIMIT 1`)).rows[0] as Record<string, unknown>;
      const bareStarted = Date.now();
      await db.query('BEGIN');
      for (let i = 0; i < n; i++) {
        const { rows } = await db.query<{ last: number }>(`UPDATE billing.bench_counter SET last = last + 1 WHERE year = 2026 RETURNING last`);
        await db.query(
          `INSERT INTO billing.bench_invoices (id, number, tenant_id, subscription_id, kind, status, currency, lines, subtotal, tax_rate_bp, tax, total, amount_paid,
                  period_start, period_end, issued_at, due_date, paid_at, voided_at, plan, plan_version, buyer, seller, updated_at)
           VALUES ($1, $2, $3, $4, 'period', 'paid', 'USD', $5, 2900, 0, 0, 2900, 2900, now(), now(), now(), now(), now(), NULL, 'standard', 1, $6, $7, now())`,
          [randomUUID(), `B-${rows[0]!.last}`, randomUUID(), randomUUID(), JSON.stringify(template.lines), JSON.stringify(template.buyer), JSON.stringify(template.seller)],
        );
      }
      await db.query('COMMIT');
      const bareSeconds = (Date.now() - bareStarted) / 1000;

      const invoicesPerSecond = n / renewalSeconds;
      const bareInvoicesPerSecond = n / bareSeconds;
      return {
        n,
        replicas: 2,
        renewalSeconds,
        invoicesPerSecond,
        bareInvoicesPerSecond,
        ratio: invoicesPerSecond / bareInvoicesPerSecond,
        invoices: c.invoices,
        distinctSubscriptions: c.subs,
        gapless: c.max - c.min + 1 === c.invoices,
        listP50Ms: percentile(latencies, 50),
        listP95Ms: percentile(latencies, 95),
        listP99Ms: percentile(latencies, 99),
        idleListP50Ms: percentile(idle, 50),
        idleListP99Ms: percentile(idle, 99),
        listSamples: latencies.length,
        sqlP50Ms: percentile(sqlLatencies, 50),
        sqlP99Ms: percentile(sqlLatencies, 99),
        listPlan: plan.rows.map((r) => r['QUERY PLAN']).join('\n'),
      };
    } finally {
      await db.end();
    }
  } finally {
    for (const p of procs.reverse()) await p.kill('SIGTERM');
    await env.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runRenewalBench();
  console.log(JSON.stringify(r, null, 2));
}
