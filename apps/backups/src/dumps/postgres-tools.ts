import pg from 'pg';
import type { Readable } from 'node:stream';
import { spawnReader, spawnWriter, type ChildStream } from './child-stream.js';
import { libpqEnv, withConnection, withDatabase } from '@saas/database';

/** Where a tenant's data is: `dedicated` the whole `database`; `shared` only `schema` in it. */
export interface TenantDatabaseTarget {
  strategy: 'shared' | 'dedicated';
  database: string;
  schema: string;
  role: string;
}

export { libpqEnv, withDatabase };

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertIdentifier(name: string): string {
  if (!IDENT.test(name)) throw new Error(`invalid identifier "${name}"`);
  return name;
}

/**
 * The real PostgreSQL client tools against the tenants' server, as its admin: `pg_dump -Fc` out
 * (a stream), `pg_restore` in (from a stream, in one transaction, stopping at the first error).
 */
export class PostgresTools {
  constructor(private readonly adminUrl: string) {}

  dump(target: TenantDatabaseTarget): ChildStream {
    const args = ['--format=custom', '--no-password'];
    if (target.strategy === 'shared') args.push(`--schema=${assertIdentifier(target.schema)}`);
    return spawnReader('pg_dump', 'pg_dump', args, libpqEnv(withDatabase(this.adminUrl, assertIdentifier(target.database))));
  }

  /** Restores a custom-format dump read from `input` into `database`; all or nothing. */
  restore(input: Readable, database: string): Promise<void> {
    return spawnWriter('pg_restore', 'pg_restore', ['--no-password', '--single-transaction', '--exit-on-error', `--dbname=${assertIdentifier(database)}`], input, libpqEnv(withDatabase(this.adminUrl, database)));
  }

  async query<T extends pg.QueryResultRow = Record<string, unknown>>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
    return withConnection({ connectionString: withDatabase(this.adminUrl, database), applicationName: 'backups' }, async (client) => (await client.query<T>(sql, params)).rows);
  }

  async serverVersion(): Promise<{ version: string; num: number }> {
    const [row] = await this.query<{ v: string; n: string }>(new URL(this.adminUrl).pathname.slice(1) || 'postgres', `SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n`);
    return { version: row!.v, num: Number(row!.n) };
  }
}
