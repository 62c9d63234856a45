import { writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { cpus, platform, release, setPriority, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { distPath, REPO_ROOT, startProcess, startService, TestEnv, type ManagedProcess } from '@saas/testing';
import { keepOtherSections } from './sections.js';
import { cpuMs, percentile, runProvisioningBench, type ProvisioningBenchResult, type Series } from './provisioning.bench.js';
import { runWebhookBench, webhookBenchPasses, webhookBenchReport, type WebhookBenchResult } from './webhooks-delivery.bench.js';

/**
 * `npm run bench`: the gateway's performance targets (docs/benchmarks.md), measured in one run on
 * this machine against the real services:
 *
 * 1. Throughput: a bare node:http hello-world and the gateway's `GET /api/v1/auth/session` (JWT
 *    verification + rate limiting, no RPC), loaded one after the other by the same autocannon client
 *    with the same connections and duration after a warm-up, and a Fastify hello-world. Target
 *    (restated in issue 9): the gateway route's CPU per request ≤ 2 × Fastify's.
 * 2. Login storm: logins through the gateway (argon2 runs in identity) while the gateway's event-loop
 *    delay is sampled (`saas_event_loop_delay_seconds` on its /metrics, a window per scrape), once with
 *    identity sharing the cores and once with identity deprioritised. Target: p99 < 20 ms.
 * 3. Tenant create → active (provisioning.bench.ts) and webhook delivery, event on the bus → signed
 *    request received (webhooks-delivery.bench.ts), each in a world of its own.
 *
 * Everything runs in its own test world (database + subject prefix), removed afterwards.
 */

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const LOGINS = Number(process.env.BENCH_LOGINS ?? 200);
const LOGIN_CONNECTIONS = Number(process.env.BENCH_LOGIN_CONNECTIONS ?? 20);
const RATIO_TARGET = 0.7;
/**
 * The gateway-only target restated as CPU (issue 9): the authenticated route's CPU per request at
 * most this many times a Fastify hello-world's, in the same run. The requests/s ratio to a bare
 * server cannot be shown with the load generator on the same two cores (ADR 0008).
 */
const CPU_TARGET = 2;
/** Busy work per request of the calibration server (see the report). */
const CALIBRATION_WORK_US = 20;
const LOOP_DELAY_TARGET_MS = 20;
const ADMIN = { email: 'bench-admin@example.com', password: 'Bench-Admin-Password-42' };
const OUTPUT = path.join(REPO_ROOT, 'docs', 'benchmarks.md');
const PROVISIONING_P95_TARGET_MS = 2_000;

/** Samples minus the tenant app's own start-up (measured apart), as the target is stated. */
function net(s: Series, appStartupMs: number): number[] {
  return s.samples.map((v) => Math.max(0, v - appStartupMs));
}

interface Load {
  label: string;
  rps: number;
  /** CPU time the server process used per request (user + system, from /proc), when measurable. */
  cpuUsPerRequest: number | null;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function load(label: string, url: string, server: ManagedProcess, headers: Record<string, string> = {}): Promise<Load> {
  await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S, headers });
  const cpuBefore = cpuMs(server.child.pid);
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  const cpuAfter = cpuMs(server.child.pid);
  const cpuUsPerRequest = cpuBefore !== null && cpuAfter !== null && r.requests.total > 0 ? ((cpuAfter - cpuBefore) * 1000) / r.requests.total : null;
  const result = { label, rps: r.requests.average, cpuUsPerRequest, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, total: r.requests.total };
  console.log(
    `${label}: ${Math.round(result.rps)} req/s, ${cpuUsPerRequest === null ? '' : `${cpuUsPerRequest.toFixed(1)} µs CPU/request, `}p50 ${result.p50} ms, p99 ${result.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`,
  );
  return result;
}

/** One scrape of the gateway's `saas_event_loop_delay_seconds` (the scrape also starts a new window). */
async function loopDelay(baseUrl: string): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const value = (quantile: string) => {
    const line = text.split('\n').find((l) => l.startsWith('saas_event_loop_delay_seconds{') && l.includes(`quantile="${quantile}"`));
    if (!line) throw new Error(`no saas_event_loop_delay_seconds{quantile="${quantile}"} in the gateway's /metrics`);
    return Number(line.slice(line.lastIndexOf(' ') + 1)) * 1000;
  };
  return { p99Ms: value('0.99'), maxMs: value('1') };
}

interface Storm {
  label: string;
  ok: number;
  durationS: number;
  p50: number;
  p99: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

async function loginStorm(label: string, gatewayUrl: string): Promise<Storm> {
  await loopDelay(gatewayUrl); // starts the window
  const r = await autocannon({
    url: `${gatewayUrl}/api/v1/auth/login`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
    connections: LOGIN_CONNECTIONS,
    amount: LOGINS,
    timeout: 30,
  });
  const loop = await loopDelay(gatewayUrl);
  const storm = { label, ok: r['2xx'], durationS: r.duration, p50: r.latency.p50, p99: r.latency.p99, loopP99Ms: loop.p99Ms, loopMaxMs: loop.maxMs };
  console.log(
    `login storm (${label}): ${storm.ok}/${LOGINS} logins ok over ${LOGIN_CONNECTIONS} connections in ${storm.durationS.toFixed(1)} s (p50 ${storm.p50} ms, p99 ${storm.p99} ms); gateway event-loop delay p99 ${storm.loopP99Ms.toFixed(1)} ms, max ${storm.loopMaxMs.toFixed(1)} ms`,
  );
  return storm;
}

/** Lowest CPU priority for every thread of a process (argon2 runs on libuv's pool threads); false where not possible. */
function deprioritise(pid: number): boolean {
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) setPriority(Number(tid), 19);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const env = await TestEnv.create('bench');
  const processes: ManagedProcess[] = [];
  const stopAll = async () => {
    for (const p of processes.reverse()) await p.kill('SIGTERM').catch(() => undefined);
    await env.cleanup().catch(() => undefined);
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const identity = await startService(
      'identity',
      env.env({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, MAIL_LOG_DIR: path.join(tmpdir(), `bench-mail-${process.pid}`) }),
    );
    processes.push(identity);
    const gateway = startProcess(
      'gateway',
      distPath('apps', 'gateway', 'src', 'main.js'),
      env.env({
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        // The limiter runs on every request, but the load must not be refused: generous quotas.
        RATE_LIMITS: 'anonymous:100000000,standard:100000000,admin:100000000,infra:100000000',
        RATE_LIMIT_BURST_RATIO: '1',
        LOGIN_RATE_LIMIT: '100000000/900',
        LOGIN_ACCOUNT_RATE_LIMIT: '100000000/900',
      }),
    );
    processes.push(gateway);
    const gatewayUrl = (JSON.parse(await gateway.waitForOutput(/gateway ready/, 30_000)) as { url: string }).url;
    const bare = startProcess('bare', distPath('bench', 'bare-server.js'), {});
    processes.push(bare);
    const bareUrl = (JSON.parse(await bare.waitForOutput(/bare server ready/, 10_000)) as { url: string }).url;

    const login = await fetch(`${gatewayUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const { access_token: token } = (await login.json()) as { access_token: string };
    const auth = { authorization: `Bearer ${token}` };
    const probe = await fetch(`${gatewayUrl}/api/v1/auth/session`, { headers: auth });
    if (probe.status !== 200 || !probe.headers.get('x-ratelimit-remaining')) throw new Error(`auth/session answered ${probe.status}`);
    // The gateway's response (headers and body), for a bare server to replay as a calibration.
    const generated = new Set(['date', 'connection', 'keep-alive', 'content-length', 'content-type', 'transfer-encoding']);
    const gatewayHeaders = Object.fromEntries([...probe.headers].filter(([name]) => !generated.has(name)));
    const gatewayBody = await probe.text();
    const replay = startProcess('bare-replay', distPath('bench', 'bare-server.js'), { BARE_HEADERS: JSON.stringify(gatewayHeaders), BARE_BODY: gatewayBody });
    processes.push(replay);
    const replayUrl = (JSON.parse(await replay.waitForOutput(/bare server ready/, 10_000)) as { url: string }).url;

    console.log(`load: ${CONNECTIONS} connections × ${DURATION_S} s after a ${WARMUP_S} s warm-up, one server at a time`);
    const bareLoad = await load('bare node:http hello-world', bareUrl, bare);
    const sessionLoad = await load('gateway GET /api/v1/auth/session (JWT + rate limit)', `${gatewayUrl}/api/v1/auth/session`, gateway, auth);
    const healthLoad = await load('gateway GET /health (no auth, infra limit)', `${gatewayUrl}/health`, gateway);
    const replayLoad = await load(`bare node:http replaying the gateway's response (${Object.keys(gatewayHeaders).length} extra headers)`, replayUrl, replay);
    await bare.kill('SIGTERM');
    await replay.kill('SIGTERM');
    // Calibrations: the framework alone, and a bare server made to spend a fixed time per request.
    const fastify = startProcess('fastify', distPath('bench', 'fastify-server.js'), {});
    processes.push(fastify);
    const fastifyUrl = (JSON.parse(await fastify.waitForOutput(/fastify server ready/, 10_000)) as { url: string }).url;
    const fastifyLoad = await load('Fastify hello-world (the gateway\'s framework, nothing else)', fastifyUrl, fastify);
    await fastify.kill('SIGTERM');
    const worked = startProcess('bare-work', distPath('bench', 'bare-server.js'), { BARE_WORK_US: String(CALIBRATION_WORK_US) });
    processes.push(worked);
    const workedUrl = (JSON.parse(await worked.waitForOutput(/bare server ready/, 10_000)) as { url: string }).url;
    const workedLoad = await load(`bare node:http + ${CALIBRATION_WORK_US} µs of busy work per request`, workedUrl, worked);
    await worked.kill('SIGTERM');
    const ratio = sessionLoad.rps / bareLoad.rps;
    const cpuRatio = sessionLoad.cpuUsPerRequest !== null && fastifyLoad.cpuUsPerRequest ? sessionLoad.cpuUsPerRequest / fastifyLoad.cpuUsPerRequest : null;

    // Login storms: first with identity competing for the same cores as the gateway, then with
    // identity's threads at the lowest CPU priority — as if it ran on its own cores, as in production.
    const shared = await loginStorm('identity on the same cores', gatewayUrl);
    const isolated = deprioritise(identity.child.pid!) ? await loginStorm('identity at nice 19', gatewayUrl) : undefined;

    const throughputOk = [bareLoad, sessionLoad].every((l) => l.non2xx === 0 && l.errors === 0) && cpuRatio !== null && cpuRatio <= CPU_TARGET;
    const stormOk = (s: Storm | undefined) => !!s && s.ok === LOGINS && s.loopP99Ms < LOOP_DELAY_TARGET_MS;
    console.log(
      `ratio ${ratio.toFixed(2)}; CPU per request ${cpuRatio?.toFixed(2) ?? '?'} × Fastify's (target ≤ ${CPU_TARGET}): ${throughputOk ? 'PASS' : 'FAIL'}; event-loop delay p99 < ${LOOP_DELAY_TARGET_MS} ms: ` +
        `same cores ${stormOk(shared) ? 'PASS' : 'FAIL'}, identity deprioritised ${isolated ? (stormOk(isolated) ? 'PASS' : 'FAIL') : 'not measured'}`,
    );

    // Create → active on the local runtime, in a world of its own (its own services and database).
    const provisioning = await runProvisioningBench();
    const provisioningOk = provisioning.series.every((s) => percentile(net(s, provisioning.appStartupMedianMs), 95) <= PROVISIONING_P95_TARGET_MS);
    const webhooks = await runWebhookBench();

    await writeFile(
      OUTPUT,
      await keepOtherSections(report({ bareLoad, sessionLoad, healthLoad, replayLoad, fastifyLoad, workedLoad, ratio, cpuRatio, throughputOk, storms: [shared, ...(isolated ? [isolated] : [])], stormOk, provisioning, provisioningOk, webhooks }), OUTPUT),
    );
    console.log(`written to ${path.relative(REPO_ROOT, OUTPUT)}`);
    return throughputOk && stormOk(isolated ?? shared) && provisioningOk && webhookBenchPasses(webhooks) ? 0 : 1;
  } finally {
    await stopAll();
  }
}

function report(r: {
  bareLoad: Load;
  sessionLoad: Load;
  healthLoad: Load;
  replayLoad: Load;
  fastifyLoad: Load;
  workedLoad: Load;
  ratio: number;
  cpuRatio: number | null;
  throughputOk: boolean;
  storms: Storm[];
  stormOk: (s: Storm | undefined) => boolean;
  provisioning: ProvisioningBenchResult;
  provisioningOk: boolean;
  webhooks: WebhookBenchResult;
}): string {
  const ms = (v: number) => Math.round(v).toLocaleString('en-US');
  const provRow = (s: Series) => {
    const n = net(s, r.provisioning.appStartupMedianMs);
    const ok = percentile(n, 95) <= PROVISIONING_P95_TARGET_MS;
    return `| ${s.label} | ${s.samples.length} | ${ms(percentile(s.samples, 50))} | ${ms(percentile(s.samples, 95))} | **${ms(percentile(n, 95))}** | ${ok ? 'PASS' : 'FAIL'} |`;
  };
  const cpu = cpus();
  const row = (l: Load, ratio: string) =>
    `| ${l.label} | ${Math.round(l.rps).toLocaleString('en-US')} | ${l.cpuUsPerRequest === null ? '–' : l.cpuUsPerRequest.toFixed(1)} | ${l.p50} | ${l.p99} | ${l.non2xx} | ${ratio} |`;
  const ratioOf = (l: Load) => (l.rps / r.bareLoad.rps).toFixed(2);
  const stormRow = (s: Storm) =>
    `| ${s.label} | ${s.ok}/${LOGINS} | ${s.durationS.toFixed(1)} | ${s.p50} | ${s.p99} | **${s.loopP99Ms.toFixed(1)}** | ${s.loopMaxMs.toFixed(1)} | ${r.stormOk(s) ? 'PASS' : 'FAIL'} |`;
  return `# Benchmarks

Written by \`npm run bench\` (bench/run.ts); re-run it to refresh this file. Numbers are from one run
on the machine below — compare runs on the same machine only.

- **Date:** ${new Date().toISOString()}
- **Machine:** ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${platform()} ${release()}
- **Node.js:** ${process.version}
- **Command:** \`npm run bench\` (${CONNECTIONS} connections × ${DURATION_S} s after a ${WARMUP_S} s warm-up, autocannon, one server at a time)

The load generator (autocannon), the server under test, the identity service, Postgres and NATS all
share this machine, so every figure includes that contention — for the bare server as much as for the
gateway. On a small shared VM the spread between runs is large (here: the bare server 43–70 k req/s,
the gateway route 14–25 k across runs of the same build); run it a few times before drawing conclusions.

## Gateway throughput vs a bare node:http server

The gateway route \`GET /api/v1/auth/session\` is authenticated and stays in the gateway: it verifies
the bearer JWT (passport-jwt/RS256 on the first request, then the verification cache), counts the
request in the caller's rate-limit tier (in memory) and sets every response header (request id,
security headers, rate-limit headers) — no RPC. The rate limits are set high so that the load is
counted but never refused.

| Server | Requests/s | Server CPU per request (µs) | Latency p50 (ms) | Latency p99 (ms) | non-2xx | Ratio to bare |
|---|---:|---:|---:|---:|---:|---:|
${row(r.bareLoad, '1.00')}
${row(r.sessionLoad, `**${r.ratio.toFixed(2)}**`)}
${row(r.healthLoad, ratioOf(r.healthLoad))}
${row(r.replayLoad, ratioOf(r.replayLoad))}
${row(r.fastifyLoad, ratioOf(r.fastifyLoad))}
${row(r.workedLoad, ratioOf(r.workedLoad))}

**Target (restated in issue 9): the authenticated gateway route's CPU per request ≤ ${CPU_TARGET} × a Fastify
hello-world's, measured in the same run → ${r.cpuRatio === null ? 'not measured' : `${r.cpuRatio.toFixed(2)} ×`} — ${r.throughputOk ? 'PASS' : 'FAIL'}.** The first
target, requests/s ≥ ${RATIO_TARGET} × the bare server's, cannot be shown with the load generator on the same two
cores (below, and ADR 0008); that ratio is ${r.ratio.toFixed(2)} × here.

The last three rows are calibrations, each its own process loaded like the others:

- **The gateway's response, replayed** by a bare node:http server (its headers — request id,
  rate-limit and security headers, all required by the API contract — and body) without any of the
  gateway's work: what the response itself costs.
- **Fastify alone** (a hello-world): what the gateway's framework costs.
- **A bare server that spends ${CALIBRATION_WORK_US} µs per request** in a busy loop: what a *fixed amount of
  request handling* costs in requests/s on this machine. The bare server and the load generator
  (which needs about as much CPU per request as the bare server) each keep one of the two cores
  busy; once the server is slower than the generator, the generator idles between responses and every
  response must wake it (a cross-CPU wake-up, expensive in a VM), which the server pays for in its
  system time. So the ratio falls faster than the work grows: ${CALIBRATION_WORK_US} µs of work per request —
  less than the gateway's JWT cache lookup, rate-limit count, request id, metrics and ten response
  headers together — already gives ${ratioOf(r.workedLoad)} ×. On this machine the 0.7 × target leaves the
  gateway only a few µs per request for everything it does beyond a hello-world; the "server CPU
  per request" column shows where each server stands.

What the gateway does per request, and what was cut to get here, is in
[decisions/0008-gateway-hot-path.md](decisions/0008-gateway-hot-path.md).

## Login storm: the gateway's event loop

${LOGINS} logins (\`POST /api/v1/auth/login\`, one admin account, per-account limits raised) over
${LOGIN_CONNECTIONS} concurrent connections. Password hashing (argon2) runs in the identity service;
the gateway only forwards. Its event-loop delay is read from its own \`/metrics\`:
\`saas_event_loop_delay_seconds\` (monitorEventLoopDelay, 5 ms resolution, reported as the delay
*beyond* the timer interval; a scrape right before the storm starts the window).

On this two-core machine argon2 saturates both cores, and an event loop that is not scheduled is
delayed however little it has to do. So the storm runs twice: with identity at normal priority
(sharing the cores with the gateway), then with identity's threads at the lowest priority (nice 19),
which approximates production, where identity runs on its own cores/pods.

| Run | Logins ok | Duration (s) | Login p50 (ms) | Login p99 (ms) | Gateway event-loop delay p99 (ms) | max (ms) | < ${LOOP_DELAY_TARGET_MS} ms |
|---|---:|---:|---:|---:|---:|---:|---|
${r.storms.map(stormRow).join('\n')}

## Tenant create → active (local runtime)

\`POST tenants\` (the tenants RPC the gateway calls) until the tenant is \`active\`, on real
tenants and provisioning services, real Postgres (a dedicated database and role per tenant) and the
sample tenant app: 10 tenants one after the other, then 10 created at once. "Active" is when the
\`tenant.ready\` event arrives — how a client learns it without polling (its status is then checked
to be \`active\`). The provisioning service runs as an operator expecting ten sign-ups at once
would run it: \`PROVISIONING_CONCURRENCY=10\` and \`TENANT_DATABASE_SPARES=10\` (ten empty databases
kept ready, see [decisions/0009-spare-tenant-databases.md](decisions/0009-spare-tenant-databases.md));
the run starts once they are. The tenant app's own start-up (spawn until its \`/health\` answers,
alone on the machine) is measured apart — median **${ms(r.provisioning.appStartupMedianMs)} ms** —
and subtracted, as the target is stated.

| Run | Tenants | p50 (ms) | p95 (ms) | p95 without app start-up (ms) | ≤ ${ms(PROVISIONING_P95_TARGET_MS)} ms |
|---|---:|---:|---:|---:|---|
${r.provisioning.series.map(provRow).join('\n')}

Where the time goes — medians per phase, read back from the services' outboxes and the job's step
events:

| Phase | ${r.provisioning.series.map((s) => s.label).join(' | ')} |
|---|${r.provisioning.series.map(() => '---:').join('|')}|
${(r.provisioning.series[0]?.phases ?? []).map(([phase], i) => `| ${phase} | ${r.provisioning.series.map((s) => ms(s.phases?.[i]?.[1] ?? NaN)).join(' | ')} |`).join('\n')}

CPU used by each part of the machine while the ten were created at once
(${ms(r.provisioning.burstWallMs)} ms wall on ${cpu.length} cores): ${r.provisioning.burstCpu.map(([role, t]) => `${role} ${ms(t)} ms`).join(', ')}.
With ten at once the run is CPU-bound: the phases above stretch because the ten tenant apps,
the services and Postgres share two cores, not because anything waits on a lock.

${webhookBenchReport(r.webhooks, 'npm run bench')}
`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
