import { Check, Column, Entity, Index, PrimaryColumn, VersionColumn } from 'typeorm';
import type { BillingCycle, InvoiceLineView, PlanCurrency, SubscriptionStatus, TenantPlan } from '@saas/contracts';
import { bigintAsNumber } from '../common/columns.js';

export interface PendingChange {
  plan: TenantPlan;
  max_users: number;
  billing_cycle: BillingCycle;
}

/**
 * A tenant's subscription. At most one live (not canceled) subscription per tenant. Its state only
 * changes through SubscriptionLifecycle. `clock_offset_ms` is the sandbox test clock: this
 * subscription's time is the real time plus the offset.
 */
@Check('subscriptions_status_check', `status IN ('trialing', 'active', 'past_due', 'unpaid', 'canceled')`)
@Check('subscriptions_cycle_check', `billing_cycle IN ('monthly', 'annually')`)
@Check('subscriptions_max_users_check', `max_users >= 1`)
@Entity({ name: 'subscriptions' })
@Index('subscriptions_tenant_live_key', ['tenantId'], { unique: true, where: `status <> 'canceled'` })
@Index('subscriptions_owner_idx', ['ownerId'])
@Index('subscriptions_period_end_idx', ['currentPeriodEnd'])
export class Subscription {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'owner_id' })
  ownerId!: string;

  @Column('text', { name: 'tenant_name' })
  tenantName!: string;

  @Column('text', { name: 'buyer_email', nullable: true })
  buyerEmail!: string | null;

  @Column('text', { name: 'billing_address', nullable: true })
  billingAddress!: string | null;

  @Column('text', { name: 'billing_country', nullable: true })
  billingCountry!: string | null;

  @Column('text')
  plan!: TenantPlan;

  @Column('integer', { name: 'plan_version' })
  planVersion!: number;

  @Column('text')
  status!: SubscriptionStatus;

  @Column('text', { name: 'billing_cycle' })
  billingCycle!: BillingCycle;

  @Column('text')
  currency!: PlanCurrency;

  @Column('integer', { name: 'max_users' })
  maxUsers!: number;

  @Column('uuid', { name: 'payment_method_id', nullable: true })
  paymentMethodId!: string | null;

  @Column('timestamptz', { name: 'start_date' })
  startDate!: Date;

  @Column('timestamptz', { name: 'end_date', nullable: true })
  endDate!: Date | null;

  @Column('timestamptz', { name: 'trial_end', nullable: true })
  trialEnd!: Date | null;

  @Column('timestamptz', { name: 'current_period_start' })
  currentPeriodStart!: Date;

  @Column('timestamptz', { name: 'current_period_end' })
  currentPeriodEnd!: Date;

  @Column('boolean', { name: 'cancel_at_period_end', default: false })
  cancelAtPeriodEnd!: boolean;

  @Column('timestamptz', { name: 'canceled_at', nullable: true })
  canceledAt!: Date | null;

  @Column('jsonb', { name: 'pending_change', nullable: true })
  pendingChange!: PendingChange | null;

  /** Prorated lines waiting for the next period's invoice. */
  @Column('jsonb', { name: 'accrued_lines', default: [] })
  accruedLines!: InvoiceLineView[];

  @Column('integer', { name: 'dunning_attempts', default: 0 })
  dunningAttempts!: number;

  @Column('timestamptz', { name: 'next_retry_at', nullable: true })
  nextRetryAt!: Date | null;

  @Column('timestamptz', { name: 'past_due_since', nullable: true })
  pastDueSince!: Date | null;

  /**
   * A plan without a trial whose first charge failed: the tenant is held in `error` by the tenants
   * saga (not suspended) until this subscription's first payment succeeds.
   */
  @Column('boolean', { name: 'awaiting_first_payment', default: false })
  awaitingFirstPayment!: boolean;

  /** Whether billing has had the tenant suspended (and so must have it resumed once paid). */
  @Column('boolean', { name: 'tenant_suspended', default: false })
  tenantSuspended!: boolean;

  /** The plan the tenants service last accepted for the tenant; differs from `plan` until a plan change reached it. */
  @Column('text', { name: 'tenant_plan' })
  tenantPlan!: TenantPlan;

  @Column('bigint', { name: 'clock_offset_ms', default: 0, transformer: bigintAsNumber })
  clockOffsetMs!: number;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
