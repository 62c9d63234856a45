import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, TenantOperationRequestedData, type EventEnvelope } from '@saas/contracts';
import { OnEvent } from '@saas/messaging';
import { Backup } from './backup.entity.js';
import { BackupWorker } from './backup-worker.js';
import { BackupsService } from './backups.service.js';

/**
 * The deletion saga's first step: a tenant whose deletion was asked for gets a `pre_deletion` backup
 * (kept BACKUP_FINAL_RETENTION_DAYS after the tenant is gone). Provisioning deprovisions only once
 * `backup.completed` of that backup arrives; `backup.failed` leaves the tenant in `error`.
 */
@Injectable()
export class FinalBackupHandlers {
  constructor(
    private readonly backups: BackupsService,
    private readonly worker: BackupWorker,
  ) {}

  @OnEvent(EventTypes.TenantDeletionRequested, { data: TenantOperationRequestedData })
  async onDeletionRequested(event: EventEnvelope<TenantOperationRequestedData>, tx: EntityManager): Promise<void> {
    // An admin forced the deletion without one (force_delete).
    if (event.data.params?.skip_final_backup === true) return;
    const operationId = event.data.operation_id ?? null;
    // One final backup per deletion, however often the event arrives.
    if (operationId && (await tx.getRepository(Backup).existsBy({ operationId }))) return;
    await this.backups.enqueueIn(tx, event.data.tenant_id, 'pre_deletion', { operationId, reason: 'final backup before the tenant is deleted' });
    this.worker.kick();
  }
}
