import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { DatabaseStrategy, TenantPlan, TenantStatus } from '@saas/contracts';

@Entity({ name: 'tenants' })
@Index('tenants_slug_key', ['slug'], { unique: true })
@Index('tenants_owner_idx', ['ownerId'])
@Index('tenants_status_idx', ['status'])
@Check('tenants_status_check', `status IN ('pending', 'provisioning', 'active', 'suspended', 'stopped', 'restoring', 'error', 'deleting', 'deleted')`)
@Check('tenants_plan_check', `plan IN ('free', 'standard', 'premium', 'enterprise')`)
@Check('tenants_strategy_check', `database_strategy IN ('shared', 'dedicated')`)
@Check('tenants_progress_check', `progress BETWEEN 0 AND 100`)
export class Tenant {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  /** The DNS label of the tenant's subdomain; unique for ever (kept when deleted, so URLs never change owner). */
  @Column('text')
  slug!: string;

  @Column('text', { default: 'standard' })
  plan!: TenantPlan;

  @Column('text', { name: 'database_strategy', default: 'dedicated' })
  databaseStrategy!: DatabaseStrategy;

  @Column('text', { nullable: true })
  domain!: string | null;

  @Column('text', { name: 'contact_email', nullable: true })
  contactEmail!: string | null;

  @Column('text', { name: 'billing_address', nullable: true })
  billingAddress!: string | null;

  @Column('jsonb', { default: {} })
  settings!: Record<string, unknown>;

  @Column('jsonb', { default: {} })
  metadata!: Record<string, unknown>;

  @Column('text', { name: 'custom_plugin_repo', nullable: true })
  customPluginRepo!: string | null;

  /** The runtime's names of the tenant's resources (instance, database…), as provisioning last reported them. */
  @Column('jsonb', { name: 'service_ids', default: () => "'{}'" })
  serviceIds!: Record<string, string>;

  @Column('text', { name: 'admin_email', nullable: true })
  adminEmail!: string | null;

  @Column('uuid', { name: 'owner_id' })
  ownerId!: string;

  @Column('text', { default: 'pending' })
  status!: TenantStatus;

  @Column('text', { name: 'status_reason', nullable: true })
  statusReason!: string | null;

  @Column('int', { default: 0 })
  progress!: number;

  @Column('text', { name: 'current_step', nullable: true })
  currentStep!: string | null;

  @Column('text', { name: 'access_url', nullable: true })
  accessUrl!: string | null;

  @Column('uuid', { name: 'current_operation_id', nullable: true })
  currentOperationId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;

  /** Projected from backup.completed (TenantBackupProjection). */
  @Column('timestamptz', { name: 'last_backup_at', nullable: true })
  lastBackupAt!: Date | null;

  /** Projected from backup.schedule_changed. */
  @Column('timestamptz', { name: 'next_backup_at', nullable: true })
  nextBackupAt!: Date | null;

  @VersionColumn()
  version!: number;
}
