import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { callerUserId, type RestoreAccepted, type RestoreBackupRequest, type RestoreRefRequest, type RestoreView } from '@saas/contracts';
import { toRestoreView, restoreStatusUrl } from '../backups/backup.view.js';
import { BackupWorker } from '../backups/backup-worker.js';
import { BackupsException } from '../backups/backups.exception.js';
import { BackupsService } from '../backups/backups.service.js';
import { ArchiveCheck } from './archive-check.js';
import { Restore } from './restore.entity.js';

function isUniqueViolation(err: unknown): boolean {
  return err instanceof QueryFailedError && (err.driverError as { code?: string } | undefined)?.code === '23505';
}

/** Restores as callers see them: accepted only for a completed, sound archive of the same tenant, one at a time. */
@Injectable()
export class RestoresService {
  constructor(
    private readonly ds: DataSource,
    private readonly backups: BackupsService,
    private readonly check: ArchiveCheck,
    private readonly worker: BackupWorker,
  ) {}

  async restore(req: RestoreBackupRequest): Promise<RestoreAccepted> {
    const backup = await this.backups.find(req.tenant_id, req.backup_id);
    if (backup.status !== 'completed') throw BackupsException.notRestorable(backup.status);
    if (await this.ds.getRepository(Restore).existsBy({ tenantId: req.tenant_id, status: 'running' })) throw BackupsException.restoreInProgress();
    const manifest = await this.check.quick(backup, req.tenant_id);
    const location = await this.backups.locate(req.tenant_id);
    if (location.database.strategy !== manifest.database_strategy) {
      throw BackupsException.notRestorable(`a ${manifest.database_strategy}-strategy backup of a tenant that is now ${location.database.strategy}`);
    }
    const restore = this.ds.getRepository(Restore).create({
      id: randomUUID(),
      tenantId: req.tenant_id,
      backupId: backup.id,
      status: 'pending',
      progress: 0,
      step: null,
      safetyBackupId: null,
      rolledBack: false,
      swap: null,
      errorCode: null,
      errorStep: null,
      errorReason: null,
      requestedBy: callerUserId(req.caller),
      leaseOwner: null,
      leaseUntil: null,
      startedAt: null,
      completedAt: null,
    });
    try {
      await this.ds.getRepository(Restore).insert(restore);
    } catch (err) {
      if (isUniqueViolation(err)) throw BackupsException.restoreInProgress();
      throw err;
    }
    this.worker.kick();
    const row = await this.ds.getRepository(Restore).findOneByOrFail({ id: restore.id });
    return { restore: toRestoreView(row), status_url: restoreStatusUrl(row) };
  }

  async get(req: RestoreRefRequest): Promise<RestoreView> {
    const restore = await this.ds.getRepository(Restore).findOneBy({ id: req.restore_id, tenantId: req.tenant_id });
    if (!restore) throw BackupsException.restoreNotFound();
    return toRestoreView(restore);
  }
}
