import pg from 'pg';
import { TEST_PG_ADMIN_URL } from '@saas/testing';
import { withDatabase } from '../src/tenant-database/postgres-tools.js';

/** One query as the test server's superuser, in `database` (default `postgres`), on a connection of its own. */
export async function adminQuery<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> {
  const client = new pg.Client({ connectionString: withDatabase(TEST_PG_ADMIN_URL, database) });
  await client.connect();
  try {
    return (await client.query<T>(sql, params.length ? params : undefined)).rows;
  } finally {
    await client.end();
  }
}
