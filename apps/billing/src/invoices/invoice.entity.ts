import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { InvoiceLineView, InvoiceStatus, PlanCurrency, TenantPlan } from '@saas/contracts';

export interface InvoiceParty {
  name: string;
  billing_address: string | null;
  country: string | null;
  email: string | null;
}

/**
 * An invoice: `draft` (no number) → `open` (numbered at finalization) → `paid` | `void` | `uncollectible`. Amounts, plan version, buyer and seller are copied in when it is issued, so
 * nothing changed later (a price, an address) rewrites it. One `period` invoice per subscription
 * period, enforced by the database.
 */
@Check('invoices_status_check', `status IN ('draft', 'open', 'paid', 'void', 'uncollectible')`)
@Check('invoices_kind_check', `kind IN ('period', 'proration')`)
@Check('invoices_number_check', `(status = 'draft') = (number IS NULL)`)
@Check('invoices_amounts_check', `subtotal >= 0 AND tax >= 0 AND total = subtotal + tax AND amount_paid >= 0`)
@Entity({ name: 'invoices' })
@Index('invoices_number_key', ['number'], { unique: true })
@Index('invoices_subscription_period_key', ['subscriptionId', 'periodStart'], { unique: true, where: `kind = 'period'` })
@Index('invoices_tenant_idx', ['tenantId', 'issuedAt'])
@Index('invoices_status_idx', ['status', 'issuedAt'])
// (issued_at DESC, id): the list's order; declared in its migration (TypeORM cannot say DESC here).
@Index('invoices_issued_at_idx', { synchronize: false })
export class Invoice {
  @PrimaryColumn('uuid')
  id!: string;

  /** Null while a draft; given at finalization. */
  @Column('text', { nullable: true })
  number!: string | null;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'subscription_id', nullable: true })
  subscriptionId!: string | null;

  @Column('text')
  kind!: 'period' | 'proration';

  @Column('text')
  status!: InvoiceStatus;

  @Column('text')
  currency!: PlanCurrency;

  @Column('jsonb')
  lines!: InvoiceLineView[];

  @Column('integer')
  subtotal!: number;

  /** Basis points (19 % = 1900). */
  @Column('integer', { name: 'tax_rate_bp' })
  taxRateBp!: number;

  @Column('integer')
  tax!: number;

  @Column('integer')
  total!: number;

  @Column('integer', { name: 'amount_paid', default: 0 })
  amountPaid!: number;

  @Column('timestamptz', { name: 'period_start' })
  periodStart!: Date;

  @Column('timestamptz', { name: 'period_end' })
  periodEnd!: Date;

  @Column('timestamptz', { name: 'issued_at' })
  issuedAt!: Date;

  @Column('timestamptz', { name: 'due_date' })
  dueDate!: Date;

  @Column('timestamptz', { name: 'paid_at', nullable: true })
  paidAt!: Date | null;

  @Column('timestamptz', { name: 'voided_at', nullable: true })
  voidedAt!: Date | null;

  @Column('timestamptz', { name: 'finalized_at', nullable: true })
  finalizedAt!: Date | null;

  @Column('text')
  plan!: TenantPlan;

  @Column('integer', { name: 'plan_version' })
  planVersion!: number;

  @Column('jsonb')
  buyer!: InvoiceParty;

  @Column('jsonb')
  seller!: { name: string; address: string[] };

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
