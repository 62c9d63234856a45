import { Module } from '@nestjs/common';
import { AdminBackupsController } from './admin-backups.controller.js';
import { BackupsController } from './backups.controller.js';

/** The backups service's public routes: thin controllers mapping onto its RPCs. */
@Module({ controllers: [BackupsController, AdminBackupsController] })
export class BackupsHttpModule {}
