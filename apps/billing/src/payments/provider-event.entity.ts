import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A payment provider's webhook event billing has applied (Stripe's `evt_…`): each one is applied once. */
@Entity({ name: 'provider_events' })
export class ProviderEvent {
  @PrimaryColumn('text')
  provider!: string;

  @PrimaryColumn('text', { name: 'event_id' })
  eventId!: string;

  @Column('text')
  type!: string;

  /** What applying it did (`settled`, `failure_recorded`, `already_known`, `unknown_payment`). */
  @Column('text')
  outcome!: string;

  @Column('timestamptz', { name: 'applied_at' })
  appliedAt!: Date;
}
