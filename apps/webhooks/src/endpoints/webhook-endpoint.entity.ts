import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Where a tenant (or the platform, `tenant_id` null) wants events sent. The signing secret is sealed
 * (SecretBox); after a rotation the previous one keeps signing until `previous_secret_expires_at`.
 */
@Entity({ name: 'webhook_endpoints' })
@Index('webhook_endpoints_tenant_idx', ['tenantId'])
export class WebhookEndpoint {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id', nullable: true })
  tenantId!: string | null;

  @Column('text')
  url!: string;

  @Column('text', { default: '' })
  description!: string;

  @Column('jsonb', { name: 'event_types', default: () => `'[]'` })
  eventTypes!: string[];

  @Column('boolean', { default: true })
  enabled!: boolean;

  @Column('text', { name: 'disabled_reason', nullable: true })
  disabledReason!: string | null;

  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt!: Date | null;

  /** Requests per second at most; null = unlimited. */
  @Column('integer', { name: 'rate_limit', nullable: true })
  rateLimit!: number | null;

  @Column('jsonb', { default: () => `'{}'` })
  headers!: Record<string, string>;

  @Column('text')
  secret!: string;

  @Column('text', { name: 'secret_hint' })
  secretHint!: string;

  @Column('text', { name: 'previous_secret', nullable: true })
  previousSecret!: string | null;

  @Column('timestamptz', { name: 'previous_secret_expires_at', nullable: true })
  previousSecretExpiresAt!: Date | null;

  @Column('timestamptz', { name: 'secret_rotated_at', nullable: true })
  secretRotatedAt!: Date | null;

  /** The first failed attempt of the current unbroken run of failures. */
  @Column('timestamptz', { name: 'failing_since', nullable: true })
  failingSince!: Date | null;

  @Column('integer', { name: 'consecutive_failures', default: 0 })
  consecutiveFailures!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
