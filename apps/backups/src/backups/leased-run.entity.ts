import { Column, CreateDateColumn, PrimaryColumn } from 'typeorm';

/**
 * The columns every run of the backup worker has, whatever it runs — a backup, a restore, a restore
 * drill (`backups`, `restores`, `restore_drills`): the worker claims them, renews and sweeps their
 * lease by these same names (BackupWorker.keepLeased, each queue's sweepStale), and each records its
 * step, who asked for it, how it failed and when it ran. Not a table of its own: each entity extends
 * it (TypeORM copies the columns into the subclass's table), so the tables are as their migrations
 * made them.
 */
export abstract class LeasedRun<Status extends string> {
  @PrimaryColumn('uuid')
  id!: string;

  /** The tenant it is for (a drill: whose backup it is; a clone: the new tenant). */
  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text', { default: 'pending' })
  status!: Status;

  @Column('text', { nullable: true })
  step!: string | null;

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

/** A run that restores one backup (a restore in place or into a new tenant, a restore drill): which backup, and the error code it failed with. */
export abstract class BackupRestoreRun<Status extends string> extends LeasedRun<Status> {
  @Column('uuid', { name: 'backup_id' })
  backupId!: string;

  @Column('text', { name: 'error_code', nullable: true })
  errorCode!: string | null;
}
