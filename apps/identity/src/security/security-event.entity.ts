import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `rate_limited` and `signature_failure` rows are batches reported by the gateway and webhooks (`details.count`). */
export type SecurityEventType = 'login_failed' | 'account_locked' | 'token_reuse_detected' | 'rate_limited' | 'signature_failure';

/** What the security metrics count. `user_id` is null for identifiers that match no account. */
@Entity({ name: 'security_events' })
@Index('security_events_type_time_idx', ['type', 'occurredAt'])
export class SecurityEvent {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  type!: SecurityEventType;

  @Column('uuid', { name: 'user_id', nullable: true })
  userId!: string | null;

  /** The throttling subject (`user:<id>` or a hash of an unknown identifier). */
  @Column('text', { nullable: true })
  subject!: string | null;

  @Column('text', { nullable: true })
  ip!: string | null;

  @Column('text', { name: 'user_agent', nullable: true })
  userAgent!: string | null;

  @Column('jsonb')
  details!: Record<string, unknown>;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt!: Date;
}
