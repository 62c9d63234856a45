import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A tenant's backup schedule: when the next scheduled backup is due, and how many / how long they are kept. */
@Entity({ name: 'backup_schedules' })
@Index('backup_schedules_due_idx', ['nextRunAt'], { where: 'enabled' })
export class BackupSchedule {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  /** As the tenant gave it (a preset or a cron expression). */
  @Column('text')
  schedule!: string;

  @Column('text')
  cron!: string;

  @Column('text', { default: 'UTC' })
  timezone!: string;

  @Column('boolean', { default: true })
  enabled!: boolean;

  @Column('integer', { name: 'keep_last', nullable: true })
  keepLast!: number | null;

  @Column('integer', { name: 'keep_days', nullable: true })
  keepDays!: number | null;

  @Column('timestamptz', { name: 'next_run_at', nullable: true })
  nextRunAt!: Date | null;

  @Column('timestamptz', { name: 'last_run_at', nullable: true })
  lastRunAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
