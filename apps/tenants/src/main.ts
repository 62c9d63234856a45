import { runService } from '@saas/service-kit';
import { AppModule } from './app.module.js';
import { tenantsConfigSchema } from './config.js';
import { tenantsEntities } from './entities.js';
import { tenantsMigrations } from './migrations/index.js';

await runService({
  service: 'tenants',
  module: AppModule,
  entities: tenantsEntities,
  migrations: tenantsMigrations,
  configSchema: tenantsConfigSchema,
});
