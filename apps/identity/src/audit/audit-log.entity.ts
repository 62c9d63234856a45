import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One change anywhere on the platform, recorded from its event (one row per event id). */
@Entity({ name: 'audit_logs' })
@Index('audit_logs_event_id_key', ['eventId'], { unique: true })
@Index('audit_logs_occurred_at_idx', ['occurredAt'])
@Index('audit_logs_tenant_id_idx', ['tenantId', 'occurredAt'])
@Index('audit_logs_actor_id_idx', ['actorId', 'occurredAt'])
export class AuditLog {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'event_id' })
  eventId!: string;

  @Column('text', { name: 'event_type' })
  eventType!: string;

  @Column('text')
  action!: string;

  @Column('text', { name: 'resource_type' })
  resourceType!: string;

  @Column('text', { name: 'resource_id', nullable: true })
  resourceId!: string | null;

  @Column('uuid', { name: 'tenant_id', nullable: true })
  tenantId!: string | null;

  @Column('text', { name: 'actor_type' })
  actorType!: string;

  @Column('text', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('text', { nullable: true })
  ip!: string | null;

  @Column('text', { name: 'user_agent', nullable: true })
  userAgent!: string | null;

  @Column('jsonb', { name: 'old_values', nullable: true })
  oldValues!: Record<string, unknown> | null;

  @Column('jsonb', { name: 'new_values', nullable: true })
  newValues!: Record<string, unknown> | null;

  @Column('text', { name: 'correlation_id', nullable: true })
  correlationId!: string | null;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt!: Date;
}
