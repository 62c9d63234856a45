import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { eventContractViolation, ServiceNames } from '@saas/contracts';
import { distPath, processesWithArgument, readEvents, REPO_ROOT, startProcess, startService, TestEnv, type ManagedProcess } from '@saas/testing';
import type { OpenApiDocument } from '../../tools/fuzz/openapi.js';
import { prepareWorld, SKIPPED_BY_DESIGN } from '../../tools/fuzz/principals.js';
import { formatReport } from '../../tools/fuzz/report.js';
import { Fuzzer, type FuzzReport } from '../../tools/fuzz/runner.js';
import { StateProbe } from '../../tools/fuzz/state.js';

/**
 * Issue 16: every operation of the served OpenAPI document — so routes join as they are added —
 * sent generated and mutated requests (fast-check, fixed seed and case count) unauthenticated, as a
 * user and as an admin, against the whole platform started from dist. Fails on a 5xx, a 4xx that is
 * not problem+json with a code, a stack trace or SQL in a body, or a refused request that changed the
 * services' stored rows. FUZZ_SEED / FUZZ_CASES change the run (defaults: 16, 24 body cases).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 16);
const BODY_CASES = Number(process.env.FUZZ_CASES ?? 24);
const ADMIN = { email: 'fuzz-admin@example.com', password: 'Fuzz-Admin-Password-42' };
const runId = randomBytes(3).toString('hex');

/**
 * Services that are skeletons in this build (no RPC handler yet), so a route that calls them answers
 * 503 SERVICE_UNAVAILABLE: `GET tenants/{id}/subscriptions` (billing) and the admin action `backup`
 * (backups). Their 503s are reported, not failed. REMOVE an entry when its service lands: from then
 * on a 503 naming it means a route calls an RPC nobody answers.
 */
const UNSERVED_SERVICES = new Map<string, string>([
]);

/** `tenant_<slug>` as provisioning names a tenant's database and role (bounded to 63 bytes with a hash). */
async function tenantIdentifiers(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ slug: string }>('SELECT slug FROM tenants.tenants').catch(() => ({ rows: [] as Array<{ slug: string }> }));
  return rows.map(({ slug }) => {
    const underscored = slug.replace(/-/g, '_');
    const full = `tenant_${underscored}`;
    return full.length <= 63 ? full : `${full.slice(0, 54)}_${createHash('sha256').update(underscored).digest('hex').slice(0, 8)}`;
  });
}

describe('fuzzing every operation of the OpenAPI document', () => {
  let env: TestEnv;
  let runtimeDir: string;
  let mailDir: string;
  const procs: ManagedProcess[] = [];
  let baseUrl: string;
  let report: FuzzReport;
  let tenantIds: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, ['tools/build.mjs'], { cwd: REPO_ROOT, env: { ...process.env, BUILD_QUIET: '1' } });
    env = await TestEnv.create('fuzz');
    runtimeDir = mkdtempSync(path.join(tmpdir(), `fuzz-runtime-${runId}-`));
    mailDir = mkdtempSync(path.join(tmpdir(), `fuzz-mail-${runId}-`));
    const base = 20_000 + Math.floor(Math.random() * 120) * 100;
    const common = env.env({
      LOCAL_RUNTIME_DIR: runtimeDir,
      LOCAL_PORT_RANGE: `${base}-${base + 99}`,
      SHARED_TENANT_DATABASE: `t_fuzz_shared_${runId}`,
      MAIL_LOG_DIR: mailDir,
      KEY_ENCRYPTION_SECRET: 'fuzz-key-encryption-secret-0123456789abcdef',
      RATE_LIMITS: 'anonymous:10000000,standard:10000000,premium:10000000,enterprise:10000000,admin:10000000,infra:10000000',
      LOGIN_RATE_LIMIT: '1000000/900',
      // A slow shared machine must not turn into 504s: the suite judges input handling, not speed.
      RPC_TIMEOUT_MS: '20000',
      PASSWORD_RESET_RATE_LIMIT: '1000000/900',
    });
    const started = await Promise.all(ServiceNames.map((s) => startService(s, s === 'identity' ? { ...common, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } : common)));
    procs.push(...started);
    const gateway = startProcess('gateway', distPath('apps', 'gateway', 'src', 'main.js'), { ...common, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    procs.push(gateway);
    baseUrl = (JSON.parse(await gateway.waitForOutput(/gateway ready/, 30_000)) as { url: string }).url;
  }, 180_000);

  afterAll(async () => {
    for (const p of [...procs].reverse()) await p.kill('SIGTERM');
    const c = await env.pg();
    const ids = await c.query<{ id: string }>('SELECT id FROM tenants.tenants').catch(() => ({ rows: [] as Array<{ id: string }> }));
    tenantIds = [...new Set([...tenantIds, ...ids.rows.map((r) => r.id)])];
    for (const id of tenantIds) for (const pid of processesWithArgument(`--saas-tenant=${id}`)) process.kill(pid, 'SIGKILL');
    const names = await tenantIdentifiers(c);
    await c.end();
    const admin = await env.pg();
    // The names are this run's own (from its tenants table): nothing of a parallel run is touched.
    for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`).catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(`t_fuzz_shared_${runId}`)} WITH (FORCE)`).catch(() => undefined);
    for (const name of names) await admin.query(`DROP OWNED BY ${pg.escapeIdentifier(name)}; DROP ROLE IF EXISTS ${pg.escapeIdentifier(name)}`).catch(() => undefined);
    await admin.end();
    const jsm = await jetstreamManager(await env.nats());
    await jsm.streams.delete(`KV_${env.prefix.replace(/[^A-Za-z0-9_-]/g, '_')}gateway_idempotency`).catch(() => undefined);
    await env.cleanup();
    rmSync(runtimeDir, { recursive: true, force: true });
    rmSync(mailDir, { recursive: true, force: true });
  }, 120_000);

  it(`answers every generated and mutated request without a 5xx, with problem+json for every 4xx, and refusals change nothing (seed ${SEED})`, async () => {
    const doc = (await (await fetch(`${baseUrl}/docs/openapi.json`)).json()) as OpenApiDocument;
    const world = await prepareWorld(baseUrl, ADMIN, { runId, tier: 'enterprise' });
    tenantIds = world.tenantIds;
    const state = await StateProbe.connect(env.databaseUrl);
    try {
      report = await new Fuzzer(doc, { baseUrl, principals: world.principals, seed: SEED, bodyCases: BODY_CASES, knownIds: world.knownIds, skip: SKIPPED_BY_DESIGN, unservedServices: UNSERVED_SERVICES, state, requestTimeoutMs: 45_000, log: (line) => process.stdout.write(`${line}\n`) }).run();
    } finally {
      await state.close();
    }
    process.stdout.write(`${formatReport(report)}\n`);
    expect(report.operations).toBeGreaterThanOrEqual(50);
    expect(report.requests).toBeGreaterThan(2_000);
    expect(report.stateChecked).toBe(true);
    expect(report.failures.map((f) => `${f.operation} as ${f.principal} — ${f.label}: ${f.problems.join('; ')} [${f.request.slice(0, 200)}] → ${f.status} ${f.response.slice(0, 200)}`)).toEqual([]);
  }, 600_000);

  // Issue 8: the producers' real payloads, as the services published them while being fuzzed (the
  // outbox already refuses one that breaks its class; this reads what reached the stream).
  it('published only events whose data satisfies the event catalogue', async () => {
    const events = await readEvents(await env.nats(), env.prefix);
    const types = new Set(events.map((e) => e.type));
    process.stdout.write(`fuzz: ${events.length} events of ${types.size} types checked against the event catalogue: ${[...types].sort().join(', ')}\n`);
    expect(types.size).toBeGreaterThanOrEqual(15);
    expect(events.map((e) => eventContractViolation(e.type, e.data)).filter((v) => v !== null)).toEqual([]);
  }, 120_000);
});
