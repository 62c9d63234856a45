/**
 * `npm start`: the whole platform on one machine with its embedded defaults.
 * Checks Postgres and NATS (and says how to start them), runs every migration, starts the six
 * services and the gateway, creates the first platform admin, prints where to go, and on Ctrl-C or
 * SIGTERM stops everything gracefully, gateway first.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IdentityRpc, ServiceNames } from '@saas/contracts';
import { RpcClient, SubjectNaming, connectNats } from '@saas/messaging';
import { migrateAll } from './migrate.js';
import { ensureNats, ensurePostgres, PreflightError } from './preflight.js';
import { Supervisor, prettyLine } from './supervisor.js';

// This file runs as dist/tools/platform/start.js; the compiled services sit beside it in dist/apps.
const distRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// ADMIN_* stay with the launcher: it creates the admin itself and says how (see bootstrapAdmin).
const { ADMIN_EMAIL: _email, ADMIN_PASSWORD: _password, ...inherited } = process.env;
const env = {
  ...inherited,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/saas_platform',
  NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  PORT: process.env.PORT ?? '3000',
};
const jsonLogs = process.env.LOG_FORMAT === 'json' || !process.stdout.isTTY;
const color = !jsonLogs && !process.env.NO_COLOR;
const say = (line: string) => process.stdout.write(`${line}\n`);
/**
 * PLATFORM_REPLICAS (1-5, default 1): how many processes of each service to run. They share the work
 * as on Kubernetes — RPC through queue groups, events through the shared durable consumer, the
 * outbox relay and scheduled work under locks. Replica r of service i gets metrics port
 * METRICS_BASE_PORT + (r-1)·services + i. (One gateway: it is the single entry port here.)
 */
const replicas = (() => {
  const n = Number(process.env.PLATFORM_REPLICAS ?? 1);
  if (!Number.isInteger(n) || n < 1 || n > 5) {
    process.stderr.write(`PLATFORM_REPLICAS must be an integer from 1 to 5 (got "${process.env.PLATFORM_REPLICAS}")\n`);
    process.exit(1);
  }
  return n;
})();
// METRICS_BASE_PORT=0 lets every service pick a free port (tests, several platforms on one host).
const metricsBase = Number(process.env.METRICS_BASE_PORT ?? 9101);
const serviceProcesses = Array.from({ length: replicas }, (_, r) =>
  ServiceNames.map((service, i) => ({
    service,
    name: r === 0 ? service : `${service}-${r + 1}`,
    metricsPort: metricsBase === 0 ? 0 : metricsBase + r * ServiceNames.length + i,
  })),
).flat();
const sink = (name: string, line: string) => process.stdout.write(`${jsonLogs ? line : prettyLine(name, line, color)}\n`);

async function main(): Promise<void> {
  say('Starting the SaaS control plane…');
  try {
    const { created } = await ensurePostgres(env.DATABASE_URL);
    say(`  postgres     ok${created ? ' (database created)' : ''}`);
    await ensureNats(env.NATS_URL);
    say('  nats         ok (JetStream enabled)');
  } catch (err) {
    if (err instanceof PreflightError) {
      process.stderr.write(`\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  say('migrations:');
  await migrateAll(env.DATABASE_URL, say);

  const supervisor = new Supervisor(sink);
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) {
      say('Forcing exit.');
      process.exit(1);
    }
    shuttingDown = true;
    say(`\n${signal} received: stopping the gateway (in-flight requests finish), then the services…`);
    await supervisor.stop([['gateway'], serviceProcesses.map((p) => p.name)]);
    say('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await Promise.all(
    serviceProcesses.map((p) =>
      supervisor.start({
        name: p.name,
        script: path.join(distRoot, 'apps', p.service, 'src', 'main.js'),
        env: { ...env, METRICS_PORT: String(p.metricsPort), RUN_MIGRATIONS: 'false' },
      }),
    ),
  );
  const gatewayReady = await supervisor.start({
    name: 'gateway',
    script: path.join(distRoot, 'apps', 'gateway', 'src', 'main.js'),
    env,
  });

  const admin = await bootstrapAdmin();
  // The gateway's ready line carries the port it really bound (PORT=0 picks a free one).
  const port = gatewayReady.port ?? env.PORT;
  const base = `http://localhost:${port}`;
  say('');
  say('The SaaS control plane is up.');
  say(`  API           ${base}/api/v1`);
  say(`  API docs      ${base}/docs   (OpenAPI: ${base}/docs/openapi.json)`);
  say(`  Health        ${base}/health/detailed`);
  say(`  Tenant apps   http://<slug>.localhost:${port}`);
  if (metricsBase > 0) {
    say(`  Metrics       ${base}/metrics (gateway), http://localhost:${metricsBase}-${metricsBase + serviceProcesses.length - 1}/metrics (services)`);
  }
  if (replicas > 1) say(`  Replicas      ${replicas} of each service (RPC queue groups, shared durable consumers, one relay and one job per lock)`);
  if (admin.created && admin.generated_password) {
    say(`  Admin         ${admin.email} / ${admin.generated_password}   (generated now and shown once: keep it)`);
  } else if (admin.created) {
    say(`  Admin         ${admin.email} (created with ADMIN_PASSWORD)`);
  } else {
    say(`  Admin         ${admin.email} (already exists)`);
  }
  say('Press Ctrl-C to stop.');
}

async function bootstrapAdmin(): Promise<{ created: boolean; email: string; generated_password?: string }> {
  const nc = await connectNats(env.NATS_URL, 'platform-launcher');
  try {
    const rpc = new RpcClient(nc, new SubjectNaming(process.env.SUBJECT_PREFIX ?? ''), 30_000);
    return await rpc.call(IdentityRpc.bootstrapAdmin, {
      email: process.env.ADMIN_EMAIL ?? 'admin@example.com',
      ...(process.env.ADMIN_PASSWORD ? { password: process.env.ADMIN_PASSWORD } : {}),
    });
  } finally {
    await nc.close();
  }
}

main().catch((err) => {
  process.stderr.write(`\nThe platform failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
