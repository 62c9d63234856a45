import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

export class PreflightError extends Error {}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}`;
  } catch {
    return url;
  }
}

/**
 * Postgres must answer; the platform's database is created when it does not exist yet.
 * On failure the message says exactly how to start it.
 */
export async function ensurePostgres(databaseUrl: string): Promise<{ created: boolean }> {
  const target = new URL(databaseUrl);
  const database = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new PreflightError(
      [
        `PostgreSQL is not reachable at ${describeUrl(databaseUrl)} (${(err as Error).message}).`,
        'Start it with one of:',
        '  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
        '  docker compose up -d postgres',
        'or point DATABASE_URL at a running server.',
      ].join('\n'),
    );
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount) return { created: false };
    await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    return { created: true };
  } finally {
    await client.end();
  }
}

/** NATS must answer and have JetStream enabled (events live in a stream). */
export async function ensureNats(natsUrl: string): Promise<void> {
  let nc;
  try {
    nc = await connect({ servers: natsUrl.split(','), timeout: 3_000, maxReconnectAttempts: 0, name: 'platform-preflight' });
  } catch (err) {
    throw new PreflightError(
      [
        `NATS is not reachable at ${natsUrl} (${(err as Error).message}).`,
        'Start it (with JetStream) with one of:',
        '  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
        '  docker compose up -d nats',
        'or point NATS_URL at a running server.',
      ].join('\n'),
    );
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: 3_000 });
    await jsm.getAccountInfo();
  } catch (err) {
    throw new PreflightError(
      `NATS at ${natsUrl} answers but JetStream is not enabled (${(err as Error).message}). Restart nats-server with -js (and -sd <dir> to keep the stream on disk).`,
    );
  } finally {
    await nc.close();
  }
}
