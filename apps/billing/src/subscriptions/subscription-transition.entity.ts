import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SubscriptionStatus } from '@saas/contracts';

/** One change of a subscription's status, with why (the history SubscriptionLifecycle records). */
@Entity({ name: 'subscription_transitions' })
@Index('subscription_transitions_subscription_idx', ['subscriptionId', 'at'])
export class SubscriptionTransition {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'subscription_id' })
  subscriptionId!: string;

  @Column('text', { name: 'from_status', nullable: true })
  fromStatus!: SubscriptionStatus | null;

  @Column('text', { name: 'to_status' })
  toStatus!: SubscriptionStatus;

  @Column('text', { nullable: true })
  reason!: string | null;

  /** The subscription's own time (test clocks included). */
  @Column('timestamptz')
  at!: Date;
}
