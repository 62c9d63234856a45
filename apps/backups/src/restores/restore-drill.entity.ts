import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DrillStatus, DrillTableCheck } from '@saas/contracts';

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
export class RestoreDrill {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'backup_id' })
  backupId!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text')
  trigger!: 'scheduled' | 'manual';

  @Column('text', { default: 'pending' })
  status!: DrillStatus;

  @Column('text', { nullable: true })
  step!: string | null;

  @Column('text', { name: 'scratch_database', nullable: true })
  scratchDatabase!: string | null;

  @Column('double precision', { name: 'restore_seconds', nullable: true })
  restoreSeconds!: number | null;

  @Column('jsonb', { default: [] })
  tables!: DrillTableCheck[];

  @Column('text', { name: 'error_code', nullable: true })
  errorCode!: string | null;

  @Column('text', { name: 'error_step', nullable: true })
  errorStep!: string | null;

  @Column('text', { name: 'error_reason', nullable: true })
  errorReason!: string | null;

  @Column('uuid', { name: 'requested_by', nullable: true })
  requestedBy!: string | null;

  @Column('text', { name: 'lease_owner', nullable: true })
  leaseOwner!: string | null;

  @Column('timestamptz', { name: 'lease_until', nullable: true })
  leaseUntil!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt!: Date | null;
}
