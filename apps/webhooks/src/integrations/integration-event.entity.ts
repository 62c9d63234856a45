import type { IntegrationEventStatus } from '@saas/contracts';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { IntegrationProvider } from './integration-provider.entity.js';

/** A verified inbound webhook, stored once per provider event id, then published on the bus. */
@Entity({ name: 'integration_events' })
@Index('integration_events_provider_event_key', ['providerId', 'eventId'], { unique: true })
@Index('integration_events_received_idx', ['receivedAt'], { where: `status = 'received'` })
@Index('integration_events_provider_received_idx', ['providerId', 'receivedAt'])
export class IntegrationEvent {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'provider_id' })
  providerId!: string;

  @ManyToOne(() => IntegrationProvider, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id', foreignKeyConstraintName: 'integration_events_provider_id_fkey' })
  provider?: IntegrationProvider;

  @Column('text', { name: 'event_id' })
  eventId!: string;

  @Column('text')
  type!: string;

  @Column('jsonb')
  payload!: Record<string, unknown>;

  @Column('text', { default: 'received' })
  status!: IntegrationEventStatus;

  @Column('integer', { default: 0 })
  attempts!: number;

  @Column('text', { nullable: true })
  error!: string | null;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt!: Date;

  @Column('timestamptz', { name: 'processed_at', nullable: true })
  processedAt!: Date | null;
}
