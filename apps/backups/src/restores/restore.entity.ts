import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { RestoreStatus } from '@saas/contracts';

/** Where a restore's swap stands, so a crashed one can be put back (see RestoreRunner). */
export interface RestoreSwap {
  strategy: 'shared' | 'dedicated';
  /** The database (dedicated) or shared database holding the tenant's schema. */
  database: string;
  schema: string;
  /** The tenant's previous data, kept under this name until the restore completed. */
  previous: string | null;
  /** The restored copy while it is built (dedicated). */
  staged: string | null;
  swapped: boolean;
  /** The app's files were (being) replaced: a rollback puts the safety backup's back. */
  filesReplaced: boolean;
}

@Entity({ name: 'restores' })
@Check('restores_status_check', `status IN ('pending', 'running', 'completed', 'failed')`)
@Index('restores_tenant_idx', ['tenantId', 'createdAt'])
@Index('restores_one_running_key', ['tenantId'], { unique: true, where: `status IN ('pending', 'running')` })
export class Restore {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'backup_id' })
  backupId!: string;

  /** A clone (target `new_tenant`): the tenant the backup is of; `tenant_id` is the new tenant. Null in place. */
  @Column('uuid', { name: 'source_tenant_id', nullable: true })
  sourceTenantId!: string | null;

  /** A clone waits, `pending`, until its new tenant is provisioned (`tenant.ready`); only then is it claimed. */
  @Column('boolean', { name: 'waiting_for_tenant', default: false })
  waitingForTenant!: boolean;

  @Column('text', { default: 'pending' })
  status!: RestoreStatus;

  @Column('integer', { default: 0 })
  progress!: number;

  @Column('text', { nullable: true })
  step!: string | null;

  @Column('uuid', { name: 'safety_backup_id', nullable: true })
  safetyBackupId!: string | null;

  @Column('boolean', { name: 'rolled_back', default: false })
  rolledBack!: boolean;

  @Column('jsonb', { nullable: true })
  swap!: RestoreSwap | null;

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
