import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const OperationKinds = Object.freeze(['provision', 'resize', 'migrate_strategy', 'stop', 'start', 'restart', 'suspend', 'resume', 'backup', 'migrate', 'delete'] as const);
export type OperationKind = (typeof OperationKinds)[number];
export type OperationStatus = 'pending' | 'running' | 'succeeded' | 'failed';

/** A long operation on a tenant's resources, reported by the provisioning saga (API.md § Long operations). */
@Entity({ name: 'tenant_operations' })
@Index('tenant_operations_tenant_idx', ['tenantId', 'createdAt'])
@Check('tenant_operations_status_check', `status IN ('pending', 'running', 'succeeded', 'failed')`)
export class TenantOperation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text')
  kind!: OperationKind;

  @Column('text', { default: 'pending' })
  status!: OperationStatus;

  @Column('int', { default: 0 })
  progress!: number;

  @Column('text', { nullable: true })
  step!: string | null;

  @Column('text', { nullable: true })
  error!: string | null;

  /** The failing service's code for `error` (`BILLING_ERROR`), when it gave one. */
  @Column('text', { name: 'error_code', nullable: true })
  errorCode!: string | null;

  @Column('boolean', { default: true })
  retryable!: boolean;

  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('text', { name: 'requested_by', nullable: true })
  requestedBy!: string | null;

  @Column('jsonb', { default: {} })
  params!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}
