import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BackupEventData, BackupScheduleEventData, EventTypes, type EventEnvelope } from '@saas/contracts';
import { OnEvent } from '@saas/messaging';

/**
 * `GET tenants/{id}` shows the last completed and next scheduled backup without asking the backups
 * service on every read: both are projected here from its events. Raw updates, so neither the
 * tenant's `updated_at` nor its version moves (nothing the owner changed).
 */
@Injectable()
export class TenantBackupProjection {
  @OnEvent(EventTypes.BackupCompleted, { data: BackupEventData })
  async onCompleted(event: EventEnvelope<BackupEventData>, tx: EntityManager): Promise<void> {
    // The newest wins: a redelivered or late older completion never moves it back.
    await tx.query(`UPDATE tenants SET last_backup_at = GREATEST(last_backup_at, $2::timestamptz) WHERE id = $1`, [event.data.tenant_id, event.occurred_at]);
  }

  @OnEvent(EventTypes.BackupScheduleChanged, { data: BackupScheduleEventData })
  async onScheduleChanged(event: EventEnvelope<BackupScheduleEventData>, tx: EntityManager): Promise<void> {
    await tx.query(`UPDATE tenants SET next_backup_at = $2 WHERE id = $1`, [event.data.tenant_id, event.data.enabled ? event.data.next_run_at : null]);
  }
}
