import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { SeamsModule } from '@saas/service-kit';
import { BackupsModule } from './backups/backups.module.js';
import { RestoresModule } from './restores/restores.module.js';
import { BackupSchedulesModule } from './schedules/backup-schedules.module.js';

/** The backups service: tenant backups (pg_dump + files + manifest), their storage, restores, schedules and retention. */
@Module({ imports: [ScheduleModule.forRoot(), SeamsModule, BackupsModule, RestoresModule, BackupSchedulesModule] })
export class AppModule {}
