import { runService } from '@saas/service-kit';
import { AppModule } from './app.module.js';
import { provisioningConfigSchema } from './config.js';
import { provisioningEntities } from './entities.js';
import { provisioningMigrations } from './migrations/index.js';

await runService({
  service: 'provisioning',
  module: AppModule,
  entities: provisioningEntities,
  migrations: provisioningMigrations,
  configSchema: provisioningConfigSchema,
});
