/**
 * Runs every service's migrations, each in its own schema (`npm run migrate`; `npm start` runs it too).
 * Safe to run while services are up: each schema's migrations are serialised by an advisory lock.
 */
import { createServiceDataSource, runMigrations } from '@saas/database';
import { CreateMessagingTables1763800000000, MESSAGING_ENTITIES } from '@saas/messaging';
import { fileURLToPath } from 'node:url';
import { loadServiceSchemas } from './services.js';

export async function migrateAll(databaseUrl: string, log: (line: string) => void = console.log): Promise<void> {
  for (const schema of await loadServiceSchemas()) {
    const ds = createServiceDataSource({
      schema: schema.service,
      url: databaseUrl,
      poolSize: 2,
      entities: [...MESSAGING_ENTITIES, ...(schema.entities as never[])],
      migrations: [CreateMessagingTables1763800000000, ...schema.migrations],
      applicationName: `${schema.service}-migrate`,
    });
    await ds.initialize();
    try {
      const ran = await runMigrations(ds);
      log(`  ${schema.service.padEnd(13)} ${ran.length ? `${ran.length} migration(s) applied` : 'up to date'}`);
    } finally {
      await ds.destroy();
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { ensurePostgres } = await import('./preflight.js');
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/saas_platform';
  await ensurePostgres(url);
  console.log('migrations:');
  await migrateAll(url);
}
