import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { BackupScheduleRefRequest, BackupsRpc, PutBackupScheduleRequest, type BackupScheduleView } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { BackupSchedulesService } from './backup-schedules.service.js';

@Controller()
export class BackupSchedulesController {
  constructor(private readonly schedules: BackupSchedulesService) {}

  @RpcHandler(BackupsRpc.scheduleGet)
  get(@Payload() req: BackupScheduleRefRequest): Promise<BackupScheduleView> {
    return this.schedules.get(req);
  }

  @RpcHandler(BackupsRpc.schedulePut)
  put(@Payload() req: PutBackupScheduleRequest): Promise<BackupScheduleView> {
    return this.schedules.put(req);
  }
}
