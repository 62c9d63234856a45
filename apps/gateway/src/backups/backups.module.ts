import { Module } from '@nestjs/common';
import { BackupsController } from './backups.controller.js';

/** The backups service's public routes: a thin controller mapping onto its RPCs. */
@Module({ controllers: [BackupsController] })
export class BackupsHttpModule {}
