import { runService } from '@saas/service-kit';
import { AppModule } from './app.module.js';
import { billingConfigSchema } from './config.js';
import { billingEntities } from './entities.js';
import { billingMigrations } from './migrations/index.js';

await runService({ service: 'billing', module: AppModule, entities: billingEntities, migrations: billingMigrations, configSchema: billingConfigSchema });
