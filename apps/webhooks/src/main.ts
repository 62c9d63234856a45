import { runService } from '@saas/service-kit';
import { AppModule } from './app.module.js';
import { webhooksConfigSchema } from './config.js';
import { webhooksEntities } from './entities.js';
import { webhooksMigrations } from './migrations/index.js';

await runService({ service: 'webhooks', module: AppModule, entities: webhooksEntities, migrations: webhooksMigrations, configSchema: webhooksConfigSchema });
