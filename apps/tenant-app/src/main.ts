import './node-globals.js';
import { once } from 'node:events';
import { readConfig } from './config.js';
import { createLog } from './logger.js';
import { createTenantApp } from './tenant-app.js';
import { VisitStore } from './visit-store.js';

/**
 * The sample tenant application the local runtime starts per tenant (ARCHITECTURE § Provisioning
 * runtimes). Deliberately framework-free so it starts in well under a second. Extra command-line
 * arguments are ignored: the runtime adds a `--saas-tenant=<id>` marker to recognise its processes.
 */
const config = (() => {
  try {
    return readConfig(process.env);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), msg: (err as Error).message })}\n`);
    process.exit(78); // EX_CONFIG
  }
})();
const log = createLog(config.logLevel, { tenant: config.tenantSlug });
const store = new VisitStore(config.databaseUrl, config.databaseSchema);

async function migrateWithRetry(attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.migrate();
    } catch (err) {
      if (attempt >= attempts) throw err;
      log('warn', 'database not ready, retrying', { attempt, error: (err as Error).message });
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}

try {
  await migrateWithRetry();
} catch (err) {
  log('fatal', 'cannot prepare the database', { error: (err as Error).message });
  process.exit(1);
}

const server = createTenantApp(config, store, log);
server.keepAliveTimeout = 5_000;
server.listen(config.port, config.host);
try {
  await once(server, 'listening');
} catch (err) {
  // The reason in the message itself: the local runtime reads it back to retry on another port (EADDRINUSE).
  log('fatal', `cannot listen on port ${config.port}: ${(err as Error).message}`, { port: config.port, error: (err as Error).message });
  process.exit(1);
}
log('info', 'tenant app listening', { port: config.port, tenant_id: config.tenantId });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('info', 'shutting down', { signal });
  // Bounded: a client holding a connection open must not keep the process alive past the runtime's stop timeout.
  const force = setTimeout(() => process.exit(0), 5_000);
  force.unref();
  server.closeIdleConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close().catch(() => undefined);
  log('info', 'stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
