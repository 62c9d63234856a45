import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { PlanCurrency } from '@saas/contracts';

/** One charge attempt. `idempotency_key` is what the provider saw: a retried request never charges twice. */
@Check('payments_status_check', `status IN ('succeeded', 'failed')`)
@Entity({ name: 'payments' })
@Index('payments_idempotency_key_key', ['idempotencyKey'], { unique: true })
@Index('payments_invoice_idx', ['invoiceId'])
@Index('payments_provider_payment_idx', ['provider', 'providerPaymentId'])
export class Payment {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'invoice_id', nullable: true })
  invoiceId!: string | null;

  @Column('uuid', { name: 'payment_method_id', nullable: true })
  paymentMethodId!: string | null;

  @Column('text')
  provider!: string;

  @Column('text', { name: 'provider_payment_id', nullable: true })
  providerPaymentId!: string | null;

  @Column('text', { name: 'idempotency_key' })
  idempotencyKey!: string;

  @Column('integer')
  amount!: number;

  @Column('text')
  currency!: PlanCurrency;

  @Column('text')
  status!: 'succeeded' | 'failed';

  @Column('text', { name: 'decline_code', nullable: true })
  declineCode!: string | null;

  @Column('text', { name: 'failure_reason', nullable: true })
  failureReason!: string | null;

  @Column('integer')
  attempt!: number;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
