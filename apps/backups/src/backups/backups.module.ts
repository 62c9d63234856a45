import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG } from '@saas/service-kit';
import type { BackupsConfig } from '../config.js';
import { PostgresTools, withDatabase } from '../dumps/postgres-tools.js';
import { BACKUP_STORAGE, type BackupStorage } from '../storage/backup-storage.js';
import { createBackupStorage } from '../storage/storage.factory.js';
import { BackupLifecycle } from './backup-lifecycle.js';
import { BackupRunner } from './backup-runner.js';
import { BackupWorker } from './backup-worker.js';
import { BackupsController } from './backups.controller.js';
import { BackupsService } from './backups.service.js';
import { FinalBackupHandlers } from './final-backup.handlers.js';

class StorageLifecycle implements OnApplicationShutdown {
  constructor(@Inject(BACKUP_STORAGE) private readonly storage: BackupStorage) {}

  async onApplicationShutdown(): Promise<void> {
    await this.storage.close();
  }
}

/** TENANT_DATABASE_ADMIN_URL, or the platform's own server (DATABASE_URL) through its `postgres` maintenance database (as provisioning). */
export function tenantDatabaseAdminUrl(config: Pick<BackupsConfig, 'TENANT_DATABASE_ADMIN_URL' | 'DATABASE_URL'>): string {
  return config.TENANT_DATABASE_ADMIN_URL ?? withDatabase(config.DATABASE_URL, 'postgres');
}

@Module({
  controllers: [BackupsController],
  providers: [
    { provide: BACKUP_STORAGE, inject: [SERVICE_CONFIG], useFactory: (config: BackupsConfig) => createBackupStorage(config) },
    { provide: PostgresTools, inject: [SERVICE_CONFIG], useFactory: (config: BackupsConfig) => new PostgresTools(tenantDatabaseAdminUrl(config)) },
    StorageLifecycle,
    BackupLifecycle,
    BackupRunner,
    BackupWorker,
    BackupsService,
    FinalBackupHandlers,
  ],
  exports: [BACKUP_STORAGE, PostgresTools, BackupLifecycle, BackupRunner, BackupWorker, BackupsService],
})
export class BackupsModule {}
