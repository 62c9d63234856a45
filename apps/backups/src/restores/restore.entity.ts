import { Check, Column, Entity, Index } from 'typeorm';
import type { RestoreStatus } from '@saas/contracts';
import { BackupRestoreRun } from '../backups/leased-run.entity.js';

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
export class Restore extends BackupRestoreRun<RestoreStatus> {
  /** A clone (target `new_tenant`): the tenant the backup is of; `tenant_id` is the new tenant. Null in place. */
  @Column('uuid', { name: 'source_tenant_id', nullable: true })
  sourceTenantId!: string | null;

  /** A clone waits, `pending`, until its new tenant is provisioned (`tenant.ready`); only then is it claimed. */
  @Column('boolean', { name: 'waiting_for_tenant', default: false })
  waitingForTenant!: boolean;

  @Column('integer', { default: 0 })
  progress!: number;

  @Column('uuid', { name: 'safety_backup_id', nullable: true })
  safetyBackupId!: string | null;

  @Column('boolean', { name: 'rolled_back', default: false })
  rolledBack!: boolean;

  @Column('jsonb', { nullable: true })
  swap!: RestoreSwap | null;
}
