import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A tokenised card: the provider keeps the number; we keep its token, brand, last 4 digits and expiry. */
@Entity({ name: 'payment_methods' })
@Index('payment_methods_tenant_idx', ['tenantId'])
@Index('payment_methods_default_key', ['tenantId'], { unique: true, where: 'is_default' })
export class PaymentMethod {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text')
  provider!: string;

  /** The provider's reference to the card (not secret on its own: useless without our provider account). */
  @Column('text')
  token!: string;

  @Column('text')
  brand!: string;

  @Column('text')
  last4!: string;

  @Column('integer', { name: 'exp_month' })
  expMonth!: number;

  @Column('integer', { name: 'exp_year' })
  expYear!: number;

  @Column('boolean', { name: 'is_default', default: false })
  isDefault!: boolean;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
