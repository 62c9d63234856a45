import type { WebhookDeliveryStatus } from '@saas/contracts';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { WebhookEndpoint } from '../endpoints/webhook-endpoint.entity.js';

/**
 * One event (message) for one endpoint. Written in the inbox transaction of the event, so nothing is
 * lost if the service dies; `body` is fixed then, so every retry sends the same bytes under the same
 * `webhook-id` (the event id). `locked_until` is a worker's lease on an attempt in flight.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('webhook_deliveries_endpoint_event_key', ['endpointId', 'eventId'], { unique: true })
@Index('webhook_deliveries_queue_idx', ['endpointId', 'occurredAt'], { where: `status = 'pending'` })
@Index('webhook_deliveries_endpoint_created_idx', ['endpointId', 'createdAt'])
@Index('webhook_deliveries_tenant_created_idx', ['tenantId', 'createdAt'])
@Check('webhook_deliveries_status_check', `status IN ('pending', 'succeeded', 'failed')`)
export class WebhookDelivery {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'endpoint_id' })
  endpointId!: string;

  @ManyToOne(() => WebhookEndpoint, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id', foreignKeyConstraintName: 'webhook_deliveries_endpoint_id_fkey' })
  endpoint?: WebhookEndpoint;

  @Column('uuid', { name: 'tenant_id', nullable: true })
  tenantId!: string | null;

  /** Also the `webhook-id` header. */
  @Column('uuid', { name: 'event_id' })
  eventId!: string;

  @Column('text', { name: 'event_type' })
  eventType!: string;

  @Column('text')
  body!: string;

  @Column('text', { default: 'pending' })
  status!: WebhookDeliveryStatus;

  @Column('integer', { name: 'attempts_count', default: 0 })
  attemptsCount!: number;

  @Column('timestamptz', { name: 'next_attempt_at', nullable: true })
  nextAttemptAt!: Date | null;

  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil!: Date | null;

  /** The replica holding the lease (its LeaseOwner key): a lease whose owner is gone is free. */
  @Column('integer', { name: 'locked_by', nullable: true })
  lockedBy!: number | null;

  @Column('integer', { name: 'last_status_code', nullable: true })
  lastStatusCode!: number | null;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt!: Date | null;
}
