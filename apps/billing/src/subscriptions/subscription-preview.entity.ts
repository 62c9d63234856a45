import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SubscriptionChangePreview } from '@saas/contracts';
import type { PendingChange } from './subscription.entity.js';

/**
 * A previewed change: confirming it applies exactly these amounts, and only while the subscription
 * is still at `subscription_version` (any other change in between makes the preview stale).
 */
@Entity({ name: 'subscription_previews' })
@Index('subscription_previews_subscription_idx', ['subscriptionId'])
export class SubscriptionPreview {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'subscription_id' })
  subscriptionId!: string;

  @Column('integer', { name: 'subscription_version' })
  subscriptionVersion!: number;

  @Column('jsonb')
  change!: PendingChange;

  @Column('jsonb')
  result!: SubscriptionChangePreview;

  /** The subscription time the amounts were computed at. */
  @Column('timestamptz', { name: 'as_of' })
  asOf!: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;
}
