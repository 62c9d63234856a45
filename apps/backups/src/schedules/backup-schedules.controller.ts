import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BackupScheduleRefRequest, BackupsRpc, PutBackupScheduleRequest, type BackupScheduleView } from '@saas/contracts';
import { BackupSchedulesService } from './backup-schedules.service.js';

@Controller()
export class BackupSchedulesController {
  constructor(private readonly schedules: BackupSchedulesService) {}

  @MessagePattern(BackupsRpc.scheduleGet)
  get(@Payload() req: BackupScheduleRefRequest): Promise<BackupScheduleView> {
    return this.schedules.get(req);
  }

  @MessagePattern(BackupsRpc.schedulePut)
  put(@Payload() req: PutBackupScheduleRequest): Promise<BackupScheduleView> {
    return this.schedules.put(req);
  }
}
