import { Check, Column, Entity, Index } from 'typeorm';
import type { DrillStatus, DrillTableCheck } from '@saas/contracts';
import { BackupRestoreRun } from '../backups/leased-run.entity.js';

/**
 * One restore drill of one backup: queued by the schedule (BACKUP_DRILL_EVERY_HOURS) or by an admin,
 * run by the backup worker under a lease like backups and restores. `scratch_database` is recorded
 * before it is created, so the replica that finds a drill whose process died drops it.
 */
@Entity({ name: 'restore_drills' })
@Check('restore_drills_trigger_check', `trigger IN ('scheduled', 'manual')`)
@Check('restore_drills_status_check', `status IN ('pending', 'running', 'completed', 'failed')`)
@Index('restore_drills_backup_idx', ['backupId', 'createdAt'])
@Index('restore_drills_claim_idx', ['status', 'createdAt'])
export class RestoreDrill extends BackupRestoreRun<DrillStatus> {
  @Column('text')
  trigger!: 'scheduled' | 'manual';

  @Column('text', { name: 'scratch_database', nullable: true })
  scratchDatabase!: string | null;

  @Column('double precision', { name: 'restore_seconds', nullable: true })
  restoreSeconds!: number | null;

  @Column('jsonb', { default: [] })
  tables!: DrillTableCheck[];
}
