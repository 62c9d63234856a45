import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The plan of each tenant's subscription, projected from billing's subscription events (no read of
 * billing's schema): the retention of scheduled backups is the plan's (`backup_retention_days`).
 */
@Entity({ name: 'tenant_plans' })
export class TenantPlanRow {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text')
  plan!: string;

  /** The plan's `backup_retention_days` when the event arrived (the catalogue is versioned, rows keep what was granted). */
  @Column('integer', { name: 'retention_days' })
  retentionDays!: number;

  /** `occurred_at` of the event it came from: an older event arriving late changes nothing. */
  @Column('timestamptz', { name: 'as_of' })
  asOf!: Date;
}
