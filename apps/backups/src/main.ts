import { runService } from '@saas/service-kit';
import { AppModule } from './app.module.js';
import { backupsConfigSchema } from './config.js';
import { backupsEntities } from './entities.js';
import { backupsMigrations } from './migrations/index.js';

await runService({ service: 'backups', module: AppModule, entities: backupsEntities, migrations: backupsMigrations, configSchema: backupsConfigSchema });
