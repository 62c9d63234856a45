import { Module } from '@nestjs/common';
import { SeamsModule } from '@saas/service-kit';
import { BackupsModule } from './backups/backups.module.js';
import { RestoresModule } from './restores/restores.module.js';

/** The backups service: tenant backups (pg_dump + files + manifest), their storage, and restores. */
@Module({ imports: [SeamsModule, BackupsModule, RestoresModule] })
export class AppModule {}
