import { runService } from '@saas/service-kit';
import { AppModule } from './app.module.js';
import { identityConfigSchema } from './config.js';
import { identityEntities } from './entities.js';
import { identityMigrations } from './migrations/index.js';

await runService({
  service: 'identity',
  module: AppModule,
  entities: identityEntities,
  migrations: identityMigrations,
  configSchema: identityConfigSchema,
});
