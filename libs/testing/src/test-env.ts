import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

function token(): string {
  return randomBytes(4).toString('hex');
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * An isolated world for one test file: its own Postgres database and its own NATS subject prefix
 * (hence its own JetStream stream), so test runs never collide with each other or with a running
 * platform. `cleanup()` drops both.
 */
/** Where a test world lives; by default the machine's Postgres and NATS (a fault test passes its own). */
export interface TestServers {
  pgAdminUrl?: string;
  natsUrl?: string;
}

export class TestEnv {
  private natsConn?: NatsConnection;

  private constructor(
    readonly label: string,
    readonly database: string,
    readonly databaseUrl: string,
    readonly prefix: string,
    readonly pgAdminUrl: string = TEST_PG_ADMIN_URL,
    readonly natsUrl: string = TEST_NATS_URL,
  ) {}

  static async create(label: string, servers: TestServers = {}): Promise<TestEnv> {
    const id = token();
    const safe = label.toLowerCase().replace(/[^a-z0-9]/g, '_').slice(0, 20);
    const database = `t_${safe}_${id}`;
    const pgAdminUrl = servers.pgAdminUrl ?? TEST_PG_ADMIN_URL;
    const admin = new pg.Client({ connectionString: pgAdminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${database}"`);
    } finally {
      await admin.end();
    }
    return new TestEnv(label, database, withDatabase(pgAdminUrl, database), `t_${safe}_${id}.`, pgAdminUrl, servers.natsUrl ?? TEST_NATS_URL);
  }

  /** Environment for a platform process (service or gateway) living in this world. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      DATABASE_URL: this.databaseUrl,
      NATS_URL: this.natsUrl,
      SUBJECT_PREFIX: this.prefix,
      EVENT_BACKOFF_MS: '100',
      // Test receivers listen on 127.0.0.1, which the webhooks service refuses by default (SSRF).
      WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true',
      ...extra,
    };
  }

  get streamName(): string {
    return `${this.prefix.replace(/\.$/, '')}_EVENTS`;
  }

  async nats(): Promise<NatsConnection> {
    // Reconnects for ever: a fault test restarts its NATS under this connection.
    this.natsConn ??= await connect({ servers: this.natsUrl, name: `test:${this.label}`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    return this.natsConn;
  }

  /** A client connected to this world's database (caller ends it). */
  async pg(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: this.databaseUrl });
    await c.connect();
    return c;
  }

  async cleanup(): Promise<void> {
    const nc = await this.nats().catch(() => undefined);
    if (nc) {
      const jsm = await jetstreamManager(nc).catch(() => undefined);
      await jsm?.streams.delete(this.streamName).catch(() => undefined);
      await nc.drain().catch(() => undefined);
    }
    const admin = new pg.Client({ connectionString: this.pgAdminUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}

/** Polls until `probe` returns a truthy value (returned) or the deadline passes (throws with `what`). */
/**
 * Drops every database whose name starts with one of `prefixes` (what a run's platform created on
 * the server outside its own database: spare tenant databases, say). Best effort: cleanup.
 */
export async function dropDatabasesStartingWith(client: pg.ClientBase, ...prefixes: string[]): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS p WHERE starts_with(datname, p))`, [prefixes]);
  for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`).catch(() => undefined);
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
