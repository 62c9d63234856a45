import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** `awaiting_backup`: a deletion waiting for the tenant's final backup (backup.completed) before it may run. */
export type JobStatus = 'awaiting_backup' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** The tenant as the requesting event described it (no secrets). */
export interface JobTenantSpec {
  tenant_id: string;
  slug: string;
  name: string;
  plan: string;
  database_strategy: 'shared' | 'dedicated';
  admin_email: string | null;
  custom_plugin_repo: string | null;
}

/**
 * One operation on a tenant's resources, identified by the tenants service's operation id. Claimed
 * by a worker under a lease; a worker that dies loses the lease and the job resumes from its
 * current step, every step being idempotent.
 */
@Entity({ name: 'provisioning_jobs' })
@Index('provisioning_jobs_claim_idx', ['status', 'createdAt'])
@Index('provisioning_jobs_tenant_idx', ['tenantId', 'createdAt'])
@Check('provisioning_jobs_status_check', `status IN ('awaiting_backup', 'queued', 'running', 'succeeded', 'failed', 'cancelled')`)
export class ProvisioningJob {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text')
  kind!: string;

  @Column('text', { default: 'queued' })
  status!: JobStatus;

  @Column('text', { nullable: true })
  step!: string | null;

  @Column('int', { default: 0 })
  progress!: number;

  @Column('int', { default: 0 })
  attempts!: number;

  @Column('text', { name: 'lease_owner', nullable: true })
  leaseOwner!: string | null;

  @Column('timestamptz', { name: 'lease_until', nullable: true })
  leaseUntil!: Date | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  /** Not claimed before this (a transient failure's backoff). */
  @Column('timestamptz', { name: 'run_after', nullable: true })
  runAfter!: Date | null;

  /** Transient failures (RPC timeout, NATS or Postgres gone) retried so far; they do not count as attempts. */
  @Column('int', { name: 'transient_failures', default: 0 })
  transientFailures!: number;

  /** When the current run of transient failures began; past PROVISIONING_RETRY_DEADLINE_MS the job fails. */
  @Column('timestamptz', { name: 'retrying_since', nullable: true })
  retryingSince!: Date | null;

  @Column('jsonb')
  spec!: JobTenantSpec;

  @Column('jsonb', { default: {} })
  params!: Record<string, unknown>;

  /** The request's correlation id and the requesting event's id: the job's events continue that chain. */
  @Column('text', { name: 'correlation_id', nullable: true })
  correlationId!: string | null;

  @Column('uuid', { name: 'causation_id', nullable: true })
  causationId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}
