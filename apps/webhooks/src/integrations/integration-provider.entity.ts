import type { IntegrationAuthType, ProviderHealthStatus, SignatureScheme } from '@saas/contracts';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** An outside system that sends us webhooks (a payment provider, say). Its secret is sealed. */
@Entity({ name: 'integration_providers' })
@Index('integration_providers_name_key', ['name'], { unique: true })
export class IntegrationProvider {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { name: 'webhook_url', nullable: true })
  webhookUrl!: string | null;

  @Column('text', { name: 'api_base_url', nullable: true })
  apiBaseUrl!: string | null;

  @Column('text', { name: 'auth_type', default: 'hmac' })
  authType!: IntegrationAuthType;

  @Column('text', { name: 'signature_scheme', default: 'standard_webhooks' })
  signatureScheme!: SignatureScheme;

  @Column('text', { name: 'secret_key' })
  secretKey!: string;

  @Column('jsonb', { name: 'allowed_ips', default: () => `'[]'` })
  allowedIps!: string[];

  /** Requests per minute at most; null = unlimited. */
  @Column('integer', { name: 'rate_limit', nullable: true })
  rateLimit!: number | null;

  @Column('integer', { name: 'timestamp_tolerance_s', default: 300 })
  timestampToleranceS!: number;

  @Column('boolean', { name: 'is_active', default: true })
  isActive!: boolean;

  @Column('text', { name: 'health_status', default: 'unknown' })
  healthStatus!: ProviderHealthStatus;

  @Column('integer', { name: 'health_response_ms', nullable: true })
  healthResponseMs!: number | null;

  @Column('timestamptz', { name: 'health_checked_at', nullable: true })
  healthCheckedAt!: Date | null;

  @Column('text', { name: 'health_error', nullable: true })
  healthError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
