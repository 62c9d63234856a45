import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AdminListBackupsRequest, BackupRefRequest, BackupsRpc, CreateBackupRequest, ListBackupsRequest, type BackupAccepted, type BackupView, type ListResult } from '@saas/contracts';
import { BackupsService } from './backups.service.js';

@Controller()
export class BackupsController {
  constructor(private readonly backups: BackupsService) {}

  @MessagePattern(BackupsRpc.create)
  create(@Payload() req: CreateBackupRequest): Promise<BackupAccepted> {
    return this.backups.create(req);
  }

  @MessagePattern(BackupsRpc.list)
  list(@Payload() req: ListBackupsRequest): Promise<ListResult<BackupView>> {
    return this.backups.list(req);
  }

  @MessagePattern(BackupsRpc.adminList)
  adminList(@Payload() req: AdminListBackupsRequest): Promise<ListResult<BackupView>> {
    return this.backups.adminList(req);
  }

  @MessagePattern(BackupsRpc.get)
  get(@Payload() req: BackupRefRequest): Promise<BackupView> {
    return this.backups.get(req);
  }

  @MessagePattern(BackupsRpc.delete)
  delete(@Payload() req: BackupRefRequest): Promise<BackupView> {
    return this.backups.delete(req);
  }
}
