import pg from 'pg';
import type { BackupTableCount } from '@saas/contracts';
import { spawnReader, spawnRun, spawnWriter, type ChildStream } from './child-stream.js';
import { libpqEnv, openConnection, withConnection, withDatabase } from '@saas/database';
import type { StoredInput } from '../storage/backup-storage.js';

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
 * (a stream), `pg_restore` in (from a stream or a file, stopping at the first error: in one
 * transaction, or with parallel jobs into a fresh database its caller drops on failure).
 */
export class PostgresTools {
  constructor(private readonly adminUrl: string) {}

  /**
   * Opens a read-only snapshot of the target and exports it: `dump(target, snapshot.id)` dumps exactly
   * it, and `count()` counts the rows of every table the dump holds in it, so the manifest's counts are
   * the dump's (restore drills compare them). Keep it open until the dump has finished, then close it.
   */
  async openSnapshot(target: TenantDatabaseTarget): Promise<{ id: string; count(): Promise<BackupTableCount[]>; close(): Promise<void> }> {
    let client: pg.Client;
    try {
      // A dropped connection surfaces as the failing query's error, never as an unhandled 'error' event.
      client = await openConnection({ connectionString: withDatabase(this.adminUrl, assertIdentifier(target.database)), applicationName: 'backups-snapshot' });
    } catch (err) {
      throw new Error(`could not open a snapshot of database ${target.database} to dump: ${(err as Error).message}`, { cause: err });
    }
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const [{ id }] = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows as [{ id: string }];
      return {
        id,
        count: async () => {
          const tables = (
            await client.query<{ schema: string; table: string }>(
              `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                  AND ($1::text IS NULL OR n.nspname = $1)
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
                ORDER BY 1, 2`,
              [target.strategy === 'shared' ? target.schema : null],
            )
          ).rows;
          return countRows(client, tables);
        },
        close: async () => {
          await client.query('COMMIT').catch(() => undefined);
          await client.end().catch(() => undefined);
        },
      };
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  /** Rows of each of `tables` in `database` (a restore drill's scratch copy). */
  async countTables(database: string, tables: Array<{ schema: string; table: string }>): Promise<BackupTableCount[]> {
    return withConnection({ connectionString: withDatabase(this.adminUrl, assertIdentifier(database)), applicationName: 'backups' }, (client) => countRows(client, tables));
  }

  dump(target: TenantDatabaseTarget, snapshot?: string): ChildStream {
    const args = ['--format=custom', '--no-password'];
    if (snapshot) args.push(`--snapshot=${snapshot}`);
    if (target.strategy === 'shared') args.push(`--schema=${assertIdentifier(target.schema)}`);
    return spawnReader('pg_dump', 'pg_dump', args, libpqEnv(withDatabase(this.adminUrl, assertIdentifier(target.database))));
  }

  /**
   * Restores a custom-format dump (a stream, or a stored file pg_restore reads itself) into
   * `database`, stopping at the first error. `noOwner`: the dump's owners and grants are dropped, so
   * what it creates belongs to whoever restores — the admin (a drill's scratch copy: the tenant's role
   * may be gone, a deleted tenant's final backup), or `role` (a clone: the restore runs as the new
   * tenant's role, `SET ROLE`, so everything is that role's).
   *
   * All or nothing (one transaction) unless `parallel` jobs > 1 and the dump is a file: then
   * `pg_restore -j`, which loads tables and builds indexes on several connections at once and so
   * cannot be one transaction — only for a fresh database that nothing uses until its caller swaps it
   * in, and that its caller drops if this rejects (a restore's staged copy, a drill's scratch one).
   */
  restore(source: StoredInput, database: string, options: { noOwner?: boolean; role?: string; parallel?: number } = {}): Promise<void> {
    const jobs = 'file' in source ? Math.max(1, Math.floor(options.parallel ?? 1)) : 1;
    const args = ['--no-password', ...(jobs > 1 ? [`--jobs=${jobs}`] : ['--single-transaction']), '--exit-on-error', `--dbname=${assertIdentifier(database)}`];
    if (options.noOwner) args.push('--no-owner', '--no-acl');
    if (options.role) args.push(`--role=${assertIdentifier(options.role)}`);
    const env = libpqEnv(withDatabase(this.adminUrl, database));
    if ('file' in source) return spawnRun('pg_restore', 'pg_restore', [...args, '--', source.file], env);
    return spawnWriter('pg_restore', 'pg_restore', args, source.stream, env);
  }

  /** Copies `schema` of database `from` into database `to`, owners and all (pg_dump piped into pg_restore, one transaction). */
  async copySchema(from: string, schema: string, to: string): Promise<void> {
    const dump = this.dump({ strategy: 'shared', database: from, schema, role: schema });
    let dumpEnded = false;
    let killed = false;
    dump.done.then(() => (dumpEnded = true), () => (dumpEnded = true));
    const restoring = this.restore({ stream: dump.stdout }, to).catch((err: unknown) => {
      // A restore that gave up leaves pg_dump writing into a pipe nobody reads.
      if (!dumpEnded) {
        killed = true;
        dump.kill();
      }
      throw err;
    });
    const [restored, dumped] = await Promise.allSettled([restoring, dump.done]);
    // A dump that failed on its own truncated the restore's input: its error is the cause.
    if (dumped.status === 'rejected' && !killed) throw dumped.reason;
    if (restored.status === 'rejected') throw restored.reason;
  }

  async query<T extends pg.QueryResultRow = Record<string, unknown>>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
    return withConnection({ connectionString: withDatabase(this.adminUrl, database), applicationName: 'backups' }, async (client) => (await client.query<T>(sql, params)).rows);
  }

  async serverVersion(): Promise<{ version: string; num: number }> {
    const [row] = await this.query<{ v: string; n: string }>(new URL(this.adminUrl).pathname.slice(1) || 'postgres', `SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n`);
    return { version: row!.v, num: Number(row!.n) };
  }
}

async function countRows(client: pg.Client, tables: Array<{ schema: string; table: string }>): Promise<BackupTableCount[]> {
  const counts: BackupTableCount[] = [];
  for (const { schema, table } of tables) {
    const [row] = (await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`)).rows;
    counts.push({ schema, table, rows: Number(row!.n) });
  }
  return counts;
}
