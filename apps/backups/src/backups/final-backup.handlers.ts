import { Injectable } from '@nestjs/common';
import { IsObject, IsOptional, IsString, IsUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { EventTypes, type EventEnvelope } from '@saas/contracts';
import { OnEvent } from '@saas/messaging';
import { Backup } from './backup.entity.js';
import { BackupWorker } from './backup-worker.js';
import { BackupsService } from './backups.service.js';

/** The `tenant.deletion_requested` data the final backup needs (the rest of the public payload is ignored). */
class DeletionRequestedData {
  @IsUUID() tenant_id!: string;
  @IsOptional() @IsUUID() operation_id?: string;
  @IsOptional() @IsString() slug?: string;
  /** `params.skip_final_backup`: an admin forced the deletion without one (force_delete). */
  @IsOptional() @IsObject() params?: { skip_final_backup?: boolean };
  [extra: string]: unknown;
}

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

  @OnEvent(EventTypes.TenantDeletionRequested, { data: DeletionRequestedData })
  async onDeletionRequested(event: EventEnvelope<DeletionRequestedData>, tx: EntityManager): Promise<void> {
    if (event.data.params?.skip_final_backup === true) return;
    const operationId = event.data.operation_id ?? null;
    // One final backup per deletion, however often the event arrives.
    if (operationId && (await tx.getRepository(Backup).existsBy({ operationId }))) return;
    await this.backups.enqueueIn(tx, event.data.tenant_id, 'pre_deletion', { operationId, reason: 'final backup before the tenant is deleted' });
    this.worker.kick();
  }
}
