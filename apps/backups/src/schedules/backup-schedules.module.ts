import { Module } from '@nestjs/common';
import { BackupsModule } from '../backups/backups.module.js';
import { BackupScheduler } from './backup-scheduler.js';
import { BackupSchedulesController } from './backup-schedules.controller.js';
import { BackupSchedulesService } from './backup-schedules.service.js';
import { SubscriptionPlanProjection } from './plan-retention.js';

@Module({ imports: [BackupsModule], controllers: [BackupSchedulesController], providers: [BackupSchedulesService, BackupScheduler, SubscriptionPlanProjection] })
export class BackupSchedulesModule {}
