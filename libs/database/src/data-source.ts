import { DataSource, type EntitySchema, type Logger as TypeOrmLogger, type MixedList } from 'typeorm';
import { GuardedClient } from './pg-client.js';

/**
 * TypeORM's own loggers print a failed query's parameters, which can be password hashes, tokens or
 * personal data. This one reports the error and the SQL text only.
 */
class ParameterFreeLogger implements TypeOrmLogger {
  logQueryError(error: string | Error, query: string): void {
    const message = error instanceof Error ? error.message : error;
    process.stderr.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: 'query failed', error: message, query: query.slice(0, 500) })}\n`);
  }
  logQuery(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export interface ServiceDataSourceOptions {
  /** The service's own schema; nothing else is visible on its connections (ARCHITECTURE § Ownership). */
  schema: string;
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  applicationName?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * One DataSource per service, pinned to its schema: entities default to it and every pooled
 * connection's search_path is only that schema, so an unqualified query cannot reach another
 * service's tables. Schemas come from migrations only (`synchronize` is never on).
 */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  if (!SCHEMA_NAME.test(options.schema)) throw new Error(`invalid schema name "${options.schema}"`);
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    migrationsRun: false,
    synchronize: false,
    logging: ['error'],
    logger: new ParameterFreeLogger(),
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? options.schema,
    extra: {
      options: `-c search_path=${options.schema} -c timezone=UTC`,
      connectionTimeoutMillis: 5_000,
      // Every pooled connection keeps an `error` listener for its whole life (pg-client.ts).
      Client: GuardedClient,
    },
  });
}

/** Postgres' hashtext is stable across versions; one lock per schema serialises replicas' migrations. */
async function withAdvisoryLock<T>(ds: DataSource, key: string, fn: () => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * Creates the schema if needed and runs pending migrations. Safe with N replicas starting at once:
 * they queue on an advisory lock and the later ones find nothing to do.
 */
export function schemaOf(ds: DataSource): string {
  return (ds.options as { schema?: string }).schema ?? 'public';
}

export async function runMigrations(ds: DataSource): Promise<string[]> {
  const schema = schemaOf(ds);
  return withAdvisoryLock(ds, `migrations:${schema}`, async () => {
    await ds.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  });
}

/**
 * The SQL TypeORM would run to make the database match the entities, after all migrations ran.
 * Non-empty means the entities and the migrations disagree: CI fails on it (STYLE.md §5).
 */
export async function pendingSchemaChanges(ds: DataSource): Promise<string[]> {
  const sql = await ds.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}
