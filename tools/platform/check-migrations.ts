/**
 * Fails (exit 1) when any service's entities and migrations disagree: on a scratch database it runs
 * every migration, then asks TypeORM what it would still change. CI runs it (STYLE.md §5).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createServiceDataSource, pendingSchemaChanges, runMigrations } from '@saas/database';
import { CreateMessagingTables1763800000000, MESSAGING_ENTITIES } from '@saas/messaging';
import { loadServiceSchemas } from './services.js';

const adminUrl = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `t_migration_check_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${database}"`);
const url = new URL(adminUrl);
url.pathname = `/${database}`;

let failed = false;
try {
  for (const schema of await loadServiceSchemas()) {
    const ds = createServiceDataSource({
      schema: schema.service,
      url: url.toString(),
      entities: [...MESSAGING_ENTITIES, ...(schema.entities as never[])],
      migrations: [CreateMessagingTables1763800000000, ...schema.migrations],
    });
    await ds.initialize();
    try {
      await runMigrations(ds);
      const pending = await pendingSchemaChanges(ds);
      if (pending.length > 0) {
        failed = true;
        console.error(`✗ ${schema.service}: entities and migrations disagree; a migration is missing for:\n  ${pending.join(';\n  ')}`);
      } else {
        console.log(`✓ ${schema.service}: entities match migrations`);
      }
    } finally {
      await ds.destroy();
    }
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.end();
}
process.exit(failed ? 1 : 0);
