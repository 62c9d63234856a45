import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user holding one of a subscription's `max_users` seats. */
@Entity({ name: 'subscription_seats' })
export class SubscriptionSeat {
  @PrimaryColumn('uuid', { name: 'subscription_id' })
  subscriptionId!: string;

  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
