import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AdminListBackupsRequest, BackupRefRequest, BackupsRpc, CreateBackupRequest, ListBackupsRequest, type BackupAccepted, type BackupView, type ListResult } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { BackupsService } from './backups.service.js';

@Controller()
export class BackupsController {
  constructor(private readonly backups: BackupsService) {}

  @RpcHandler(BackupsRpc.create)
  create(@Payload() req: CreateBackupRequest): Promise<BackupAccepted> {
    return this.backups.create(req);
  }

  @RpcHandler(BackupsRpc.list)
  list(@Payload() req: ListBackupsRequest): Promise<ListResult<BackupView>> {
    return this.backups.list(req);
  }

  @RpcHandler(BackupsRpc.adminList)
  adminList(@Payload() req: AdminListBackupsRequest): Promise<ListResult<BackupView>> {
    return this.backups.adminList(req);
  }

  @RpcHandler(BackupsRpc.get)
  get(@Payload() req: BackupRefRequest): Promise<BackupView> {
    return this.backups.get(req);
  }

  @RpcHandler(BackupsRpc.delete)
  delete(@Payload() req: BackupRefRequest): Promise<BackupView> {
    return this.backups.delete(req);
  }
}
