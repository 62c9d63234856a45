import type { EntityManager } from 'typeorm';
import { EventTypes, type BackupScheduleEventData } from '@saas/contracts';
import type { EventOutbox } from '@saas/messaging';
import type { BackupSchedule } from './backup-schedule.entity.js';

/** Announces a schedule's next run in the transaction that set it (the tenants service shows it as `next_backup_at`). */
export async function emitScheduleChanged(outbox: EventOutbox, tx: EntityManager, s: Pick<BackupSchedule, 'tenantId' | 'enabled' | 'nextRunAt' | 'schedule' | 'timezone'>): Promise<void> {
  const data: BackupScheduleEventData = {
    tenant_id: s.tenantId,
    enabled: s.enabled,
    next_run_at: s.enabled ? (s.nextRunAt?.toISOString() ?? null) : null,
    schedule: s.schedule,
    timezone: s.timezone,
  };
  await outbox.add(tx, { type: EventTypes.BackupScheduleChanged, tenantId: s.tenantId, data });
}
