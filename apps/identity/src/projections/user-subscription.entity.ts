import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Projection of subscriptions (subscription.created/updated). Belongs to a user directly when the
 * event names one, and to every owner of its tenant otherwise.
 */
@Entity({ name: 'user_subscriptions' })
@Index('user_subscriptions_user_id_idx', ['userId'])
@Index('user_subscriptions_tenant_id_idx', ['tenantId'])
export class UserSubscription {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id', nullable: true })
  userId!: string | null;

  @Column('uuid', { name: 'tenant_id', nullable: true })
  tenantId!: string | null;

  @Column('text', { nullable: true })
  plan!: string | null;

  @Column('text', { nullable: true })
  status!: string | null;

  @Column('boolean', { name: 'is_active', default: true })
  isActive!: boolean;

  @Column('timestamptz', { name: 'start_date', nullable: true })
  startDate!: Date | null;

  @Column('timestamptz', { name: 'end_date', nullable: true })
  endDate!: Date | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
