import { Module } from '@nestjs/common';
import { BackupsModule } from '../backups/backups.module.js';
import { ArchiveCheck } from './archive-check.js';
import { CloneHandlers } from './clone.handlers.js';
import { RestoreDrills } from './restore-drills.js';
import { RestoreLifecycle } from './restore-lifecycle.js';
import { RestoreRunner } from './restore-runner.js';
import { RestoresController } from './restores.controller.js';
import { RestoresService } from './restores.service.js';

@Module({
  imports: [BackupsModule],
  controllers: [RestoresController],
  providers: [ArchiveCheck, RestoreLifecycle, RestoreRunner, RestoresService, RestoreDrills, CloneHandlers],
})
export class RestoresModule {}
