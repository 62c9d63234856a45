/**
 * The request path (issue 9): gateway → NATS → tenants service → Postgres, against a bare `pg` pool
 * running the same SQL at the same concurrency, in one run:
 *
 * - `GET /api/v1/tenants/{id}` vs `SELECT … FROM tenants.tenants WHERE id = $1`;
 * - `GET /api/v1/tenants?page_size=20` vs the page query and its count;
 * - `PATCH /api/v1/tenants/{id}` (name) vs the `UPDATE … RETURNING`;
 *
 * each with its requests/s, p50/p99 and the CPU every process used per request (from /proc: the
 * gateway, the tenants and identity services, nats-server, Postgres backends). BENCH_CPU_PROF=<dir>
 * writes V8 CPU profiles of the gateway and the tenants service (`--cpu-prof`) for the note.
 *
 *   npm run build && node dist/bench/request-path.bench.js
 */
import { readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { TenantsRpc } from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { adminCaller, distPath, startProcess, startService, TestEnv, type ManagedProcess } from '@saas/testing';
import { cpuMs } from './provisioning.bench.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
/** `get`, `list`, `patch` (comma-separated) to run only some scenarios, e.g. for a CPU profile of one; then nothing is written to docs/benchmarks.md. */
const ONLY = process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim());
const ADMIN = { email: 'bench-path-admin@example.com', password: 'Bench-Path-Admin-Password-42' };
/** The tenants service reads whole rows (its entity); so does the baseline. */
const TENANT_COLUMNS = '*';

export interface PathLoad {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** CPU µs per request by process role, summed over processes of that role. */
  cpuUs: Record<string, number>;
}

export interface PathScenario {
  name: string;
  gateway: PathLoad;
  bare: PathLoad;
  ratio: number;
  target: number;
}

/** `GET tenants/{id}` at a fixed rate of half the measured peak (BENCH_PEAK_FRACTION, default 0.5): the latency a user sees with headroom left. */
export interface HalfPeak {
  rate: number;
  rps: number;
  p50: number;
  p99: number;
  target: number;
}

/**
 * The RPC hop alone, from this process with CONNECTIONS requests in flight: the platform's RPC
 * (RpcClient → NATS → the tenants service's handler and its lookup) against bare nats.js
 * request/reply to a responder that answers the same reply bytes and does nothing else.
 */
export interface RpcHop {
  platform: PathLoad;
  bare: PathLoad;
  replyBytes: number;
}

export interface RequestPathResult {
  connections: number;
  durationS: number;
  scenarios: PathScenario[];
  halfPeak?: HalfPeak;
  hop?: RpcHop;
}

/**
 * CPU ms so far of the processes taking part, by pid with their role (the world's own processes by
 * pid, NATS, Postgres backends and this load generator by command line).
 */
function cpuSnapshot(pids: Record<string, number | undefined>): Map<string, { role: string; ms: number }> {
  const out = new Map<string, { role: string; ms: number }>();
  const own = new Map(Object.entries(pids).map(([role, pid]) => [String(pid), role]));
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let role = own.get(pid);
    if (!role) {
      let cmd: string;
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        continue; // gone meanwhile
      }
      role = /nats-server/.test(cmd) ? 'nats' : /^postgres/.test(cmd) ? 'postgres' : pid === String(process.pid) ? 'load generator' : undefined;
    }
    const ms = role ? cpuMs(pid) : null;
    if (role && ms !== null) out.set(pid, { role, ms });
  }
  return out;
}

/** CPU µs per request by role, over the processes alive at both ends (a backend that came and went is left out). */
function perRequest(before: Map<string, { role: string; ms: number }>, after: Map<string, { role: string; ms: number }>, requests: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [pid, { role, ms }] of after) {
    const was = before.get(pid);
    if (!was || requests === 0) continue;
    out[role] = (out[role] ?? 0) + ((ms - was.ms) * 1000) / requests;
  }
  return out;
}

async function gatewayLoad(label: string, opts: autocannon.Options, pids: Record<string, number | undefined>): Promise<PathLoad> {
  await autocannon({ ...opts, connections: CONNECTIONS, duration: WARMUP_S });
  const before = cpuSnapshot(pids);
  const r = await autocannon({ ...opts, connections: CONNECTIONS, duration: DURATION_S });
  const cpuUs = perRequest(before, cpuSnapshot(pids), r.requests.total);
  delete cpuUs['load generator']; // autocannon's own work is not the platform's
  return { label, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, cpuUs };
}

/** CONNECTIONS loops issuing `query` back to back (on a pool of the service's size, for the bare database), for DURATION_S; CPU of `pids` by role too. */
async function bareLoad(label: string, query: () => Promise<unknown>, pids: Record<string, number | undefined> = {}): Promise<PathLoad> {
  const run = async (seconds: number, latencies: number[]) => {
    const until = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < until) {
          const t0 = performance.now();
          await query();
          latencies.push(performance.now() - t0);
        }
      }),
    );
  };
  await run(WARMUP_S, []);
  const latencies: number[] = [];
  const before = cpuSnapshot(pids);
  await run(DURATION_S, latencies);
  const cpuUs = perRequest(before, cpuSnapshot(pids), latencies.length);
  latencies.sort((a, b) => a - b);
  const at = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 10) / 10;
  return { label, rps: latencies.length / DURATION_S, p50: at(0.5), p99: at(0.99), non2xx: 0, cpuUs };
}

/**
 * An open-loop load at a steady `rate`: requests start on a 1 ms clock, evenly spread, whatever
 * the answers' latency (a request with no free connection waits for one, and its latency counts
 * the wait). Written on raw keep-alive sockets so that the load generator costs the machine about
 * what autocannon does: node:http's client took so much of the two cores that half the peak was
 * already the generator's saturation. (autocannon's own `overallRate` lets every connection send
 * its whole second's quota at once and then wait: bursts at full speed.)
 */
async function pacedLoad(target: string, headers: Record<string, string>, rate: number, seconds: number): Promise<{ rps: number; p50: number; p99: number }> {
  const u = new URL(target);
  const request = Buffer.from(`GET ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  const waiting: number[] = [];
  const free: Array<(startedAt: number) => void> = [];
  let failures = 0;
  let record: (ms: number) => void = () => undefined;
  const sockets = await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const socket = net.connect(Number(u.port), u.hostname);
      socket.setNoDelay(true);
      await once(socket, 'connect');
      let buffer: Buffer = Buffer.alloc(0);
      let startedAt = 0;
      const send = (at: number) => {
        startedAt = at;
        socket.write(request);
      };
      socket.on('data', (chunk: Buffer) => {
        buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        buffer = buffer.subarray(end + 4 + length);
        if (!head.startsWith('HTTP/1.1 200')) failures++;
        record(performance.now() - startedAt);
        const next = waiting.shift();
        if (next !== undefined) send(next);
        else free.push(send);
      });
      free.push(send);
      return socket;
    }),
  );
  const run = async (s: number, latencies: number[]) => {
    record = (ms) => void latencies.push(ms);
    const started = performance.now();
    let sent = 0;
    while (performance.now() - started < s * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      for (; sent < due; sent++) {
        const at = started + (sent * 1000) / rate;
        const send = free.pop();
        if (send) send(at);
        else waiting.push(at);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    while (free.length < CONNECTIONS) await new Promise((r) => setTimeout(r, 5));
  };
  try {
    await run(WARMUP_S, []);
    const latencies: number[] = [];
    const t0 = performance.now();
    await run(seconds, latencies);
    const elapsed = (performance.now() - t0) / 1000;
    if (failures > 0) throw new Error(`${failures} paced requests were not answered 200`);
    latencies.sort((a, b) => a - b);
    const at = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 10) / 10;
    return { rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}

export async function runRequestPathBench(): Promise<RequestPathResult> {
  const env = await TestEnv.create('bench_path');
  const processes: ManagedProcess[] = [];
  const prof = process.env.BENCH_CPU_PROF;
  const profArgs = (name: string): string[] => (prof ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  const pool = new pg.Pool({ connectionString: env.databaseUrl, max: 10 });
  try {
    const identity = await startService('identity', env.env({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, MAIL_LOG_DIR: path.join(tmpdir(), `bench-path-mail-${process.pid}`) }));
    processes.push(identity);
    const tenants = await startService('tenants', env.env({ LOG_LEVEL: 'warn' }), profArgs('tenants'));
    processes.push(tenants);
    const gateway = startProcess(
      'gateway',
      distPath('apps', 'gateway', 'src', 'main.js'),
      env.env({
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        RATE_LIMITS: 'anonymous:100000000,standard:100000000,admin:100000000,infra:100000000',
        TENANT_RATE_LIMITS: 'free:100000000,standard:100000000,premium:100000000,enterprise:100000000',
        RATE_LIMIT_BURST_RATIO: '1',
      }),
      [],
      profArgs('gateway'),
    );
    processes.push(gateway);
    const url = (JSON.parse(await gateway.waitForOutput(/gateway ready/, 30_000)) as { url: string }).url;
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const auth = { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}`, 'content-type': 'application/json' };
    const ids: string[] = [];
    for (let i = 0; i < 21; i++) {
      const res = await fetch(`${url}/api/v1/tenants`, { method: 'POST', headers: auth, body: JSON.stringify({ name: `Bench ${i}`, subdomain: `bench-path-${i}-${process.pid}`, database_strategy: 'shared' }) });
      if (res.status !== 202 && res.status !== 201) throw new Error(`creating a tenant failed: ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const id = ids[0]!;
    const probe = await fetch(`${url}/api/v1/tenants/${id}`, { headers: auth });
    if (probe.status !== 200) throw new Error(`GET tenant answered ${probe.status}`);
    const pids = { gateway: gateway.child.pid, 'tenants service': tenants.child.pid, 'identity service': identity.child.pid };

    const scenarios: PathScenario[] = [];
    const scenario = async (name: string, target: number, g: () => Promise<PathLoad>, b: () => Promise<PathLoad>) => {
      if (ONLY && !ONLY.includes(name.split(' ')[0] === 'PATCH' ? 'patch' : name.includes('?') ? 'list' : 'get')) return;
      const gw = await g();
      const bare = await b();
      const s = { name, gateway: gw, bare, ratio: gw.rps / bare.rps, target };
      console.log(`${name}: gateway ${Math.round(gw.rps)} req/s (p50 ${gw.p50} ms, p99 ${gw.p99} ms, non-2xx ${gw.non2xx}) vs bare ${Math.round(bare.rps)} req/s → ${s.ratio.toFixed(2)}× (target ${target}×)`);
      console.log(`  bare CPU µs/request: ${Object.entries(bare.cpuUs).map(([r, v]) => `${r} ${v.toFixed(0)}`).join(', ')}`);
      console.log(`  CPU µs/request: ${Object.entries(gw.cpuUs).map(([r, v]) => `${r} ${v.toFixed(0)}`).join(', ')}; total ${Object.values(gw.cpuUs).reduce((a, v) => a + v, 0).toFixed(0)}`);
      scenarios.push(s);
    };
    await scenario(
      'GET tenants/{id}',
      0.35,
      () => gatewayLoad('gateway GET /api/v1/tenants/{id}', { url: `${url}/api/v1/tenants/${id}`, headers: auth }, pids),
      () => bareLoad('bare pg: select by id', () => pool.query(`SELECT ${TENANT_COLUMNS} FROM tenants.tenants WHERE id = $1`, [id])),
    );
    let halfPeak: HalfPeak | undefined;
    let hop: RpcHop | undefined;
    const get = scenarios.find((s) => s.name === 'GET tenants/{id}');
    if (get) {
      const rate = Math.round(get.gateway.rps * Number(process.env.BENCH_PEAK_FRACTION ?? 0.5));
      const r = await pacedLoad(`${url}/api/v1/tenants/${id}`, auth, rate, DURATION_S);
      halfPeak = { rate, ...r, target: 25 };
      console.log(`GET tenants/{id} at ${rate} req/s (half the peak): p50 ${r.p50} ms, p99 ${r.p99} ms, ${Math.round(r.rps)} req/s answered (target ≤ 25 ms)`);

      const nc = await env.nats();
      const rpc = new RpcClient(nc, new SubjectNaming(env.prefix), 10_000, 'gateway');
      const adminId = ((await (await fetch(`${url}/api/v1/auth/session`, { headers: auth })).json()) as { user_id: string }).user_id;
      const request = { caller: adminCaller({ id: adminId }), id };
      // The reply packet the service sends, byte for byte, for the bare responder to answer with.
      const replyBody = JSON.stringify({ response: await rpc.call(TenantsRpc.get, request), isDisposed: true, id: randomUUID() });
      const subject = `${env.prefix}bench.echo`;
      const responder = startProcess('nats-responder', distPath('bench', 'nats-responder.js'), { NATS_URL: env.natsUrl, NATS_SUBJECT: subject, REPLY_BODY: replyBody });
      processes.push(responder);
      await responder.waitForOutput(/nats responder ready/, 10_000);
      const payload = JSON.stringify({ pattern: TenantsRpc.get, data: request, id: randomUUID() });
      const platform = await bareLoad('RpcClient → tenants service', () => rpc.call(TenantsRpc.get, request), { 'tenants service': tenants.child.pid });
      const bare = await bareLoad('nats.js request → bare responder', () => nc.request(subject, payload, { timeout: 10_000 }), { 'bare responder': responder.child.pid });
      hop = { platform, bare, replyBytes: Buffer.byteLength(replyBody) };
      for (const l of [platform, bare]) console.log(`${l.label}: ${Math.round(l.rps)} calls/s (p50 ${l.p50} ms, p99 ${l.p99} ms); CPU µs/call: ${Object.entries(l.cpuUs).map(([r, v]) => `${r} ${v.toFixed(0)}`).join(', ')}`);
    }
    await scenario(
      'GET tenants?page_size=20',
      0.25,
      () => gatewayLoad('gateway GET /api/v1/tenants?page_size=20', { url: `${url}/api/v1/tenants?page_size=20`, headers: auth }, pids),
      () =>
        bareLoad('bare pg: page of 20 + count', () =>
          Promise.all([pool.query(`SELECT ${TENANT_COLUMNS} FROM tenants.tenants WHERE deleted_at IS NULL ORDER BY created_at DESC LIMIT 20`), pool.query(`SELECT count(*) FROM tenants.tenants WHERE deleted_at IS NULL`)]),
        ),
    );
    let n = 0;
    await scenario(
      'PATCH tenants/{id} name',
      0.25,
      () => gatewayLoad('gateway PATCH /api/v1/tenants/{id}', { url: `${url}/api/v1/tenants/${ids[1]}`, method: 'PATCH', headers: auth, body: JSON.stringify({ name: 'Bench renamed' }) }, pids),
      () => bareLoad('bare pg: update name returning', () => pool.query(`UPDATE tenants.tenants SET name = $2, updated_at = now() WHERE id = $1 RETURNING ${TENANT_COLUMNS}`, [ids[2], `Bench ${n++ % 2}`])),
    );
    return { connections: CONNECTIONS, durationS: DURATION_S, scenarios, ...(halfPeak ? { halfPeak } : {}), ...(hop ? { hop } : {}) };
  } finally {
    await pool.end().catch(() => undefined);
    for (const p of processes.reverse()) await p.kill('SIGTERM').catch(() => undefined);
    await env.cleanup().catch(() => undefined);
  }
}

/** The section of docs/benchmarks.md. */
export function requestPathReport(r: RequestPathResult): string {
  const roles = [...new Set(r.scenarios.flatMap((s) => Object.keys(s.gateway.cpuUs)))];
  const rows = r.scenarios.map(
    (s) =>
      `| ${s.name} | ${Math.round(s.gateway.rps)} | ${s.gateway.p50} / ${s.gateway.p99} | ${Math.round(s.bare.rps)} | ${s.bare.p50} / ${s.bare.p99} | **${s.ratio.toFixed(2)}×** | ≥ ${s.target}× ${s.ratio >= s.target ? '✅' : '❌'} |`,
  );
  const cpu = r.scenarios.map((s) => `| ${s.name} | ${roles.map((role) => (s.gateway.cpuUs[role] ?? 0).toFixed(0)).join(' | ')} | **${Object.values(s.gateway.cpuUs).reduce((a, v) => a + v, 0).toFixed(0)}** |`);
  const half = r.halfPeak
    ? `
At half the measured peak (${r.halfPeak.rate} req/s, an open-loop load on a steady clock from this process, on raw keep-alive sockets, ${r.durationS} s): **p99 ${r.halfPeak.p99} ms** (p50 ${r.halfPeak.p50} ms, ${Math.round(r.halfPeak.rps)} req/s served) — target ≤ ${r.halfPeak.target} ms ${r.halfPeak.p99 <= r.halfPeak.target ? '✅' : '❌'}.
`
    : '';
  const hopCpu = (l: PathLoad) => Object.entries(l.cpuUs).filter(([role]) => role !== 'load generator').map(([role, v]) => `${role} ${v.toFixed(0)}`).join(', ');
  const hop = r.hop
    ? `
The RPC hop alone, from the benchmark process with ${r.connections} calls in flight (reply ${r.hop.replyBytes} bytes): the platform's \`RpcClient\` → NATS → the tenants service's handler (validation, tracing, the batched lookup, the reply) against bare nats.js \`request\` → a responder answering the same bytes and doing nothing else (bench/nats-responder.ts).

| RPC | calls/s | p50 / p99 ms | CPU µs per call, by process |
|---|---:|---:|---|
| RpcClient → tenants service (\`rpc.tenants.get\`) | ${Math.round(r.hop.platform.rps)} | ${r.hop.platform.p50} / ${r.hop.platform.p99} | ${hopCpu(r.hop.platform)} |
| nats.js request → bare responder | ${Math.round(r.hop.bare.rps)} | ${r.hop.bare.p50} / ${r.hop.bare.p99} | ${hopCpu(r.hop.bare)} |
`
    : '';
  return `## Request path: gateway → NATS → service → Postgres

${r.connections} connections for ${r.durationS} s after a warm-up; the bare baseline runs the service's SQL on a \`pg\` pool of the service's size (10) at the same concurrency, in the same run. Reproduce: \`npm run build && node dist/bench/request-path.bench.js\` (\`BENCH_CPU_PROF=<dir>\` for CPU profiles).

| Scenario | gateway req/s | p50 / p99 ms | bare pg req/s | p50 / p99 ms | ratio | target |
|---|---:|---:|---:|---:|---:|---|
${rows.join('\n')}

CPU per request through the gateway, µs, by process (read from /proc; NATS and Postgres include anything else the machine ran meanwhile):

| Scenario | ${roles.join(' | ')} | total |
|---|${roles.map(() => '---:').join('|')}|---:|
${cpu.join('\n')}
${half}${hop}`;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const result = await runRequestPathBench();
  if (ONLY) process.exit(0);
  const { writeSection } = await import('./sections.js');
  await writeSection('Request path: gateway → NATS → service → Postgres', requestPathReport(result));
  console.log('written to docs/benchmarks.md');
}
