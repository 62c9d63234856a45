import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CallerDto } from './caller.js';
import { PageNumber } from './list.js';
import { toBool } from './validation.js';
import { BillingCycles, PlanCurrencies, type BillingCycle, type PlanCurrency, type PlanDefinition } from './plans.js';
import { EventTypes } from './subjects.js';
import { TenantPlans, type TenantPlan } from './tenants.js';

/**
 * RPC subjects of the billing service. The gateway maps its `billing/*` routes onto these.
 *
 * ⚠️  Renaming a subject breaks every caller: add new ones instead.
 */
export const BillingRpc = Object.freeze({
  plansList: 'rpc.billing.plans.list',
  subscriptionsList: 'rpc.billing.subscriptions.list',
  subscriptionsCreate: 'rpc.billing.subscriptions.create',
  subscriptionsGet: 'rpc.billing.subscriptions.get',
  subscriptionsUpdate: 'rpc.billing.subscriptions.update',
  subscriptionsPreview: 'rpc.billing.subscriptions.preview',
  subscriptionsCancel: 'rpc.billing.subscriptions.cancel',
  seatsList: 'rpc.billing.subscriptions.seats.list',
  seatsAdd: 'rpc.billing.subscriptions.seats.add',
  seatsRemove: 'rpc.billing.subscriptions.seats.remove',
  invoicesList: 'rpc.billing.invoices.list',
  invoicesGet: 'rpc.billing.invoices.get',
  invoicesPdf: 'rpc.billing.invoices.pdf',
  paymentMethodsList: 'rpc.billing.payment-methods.list',
  paymentMethodsCreate: 'rpc.billing.payment-methods.create',
  paymentMethodsDelete: 'rpc.billing.payment-methods.delete',
  /** Sandbox only, platform admins: moves one subscription's time forward and runs what became due. */
  testClockAdvance: 'rpc.billing.test-clocks.advance',
  /** Platform admins: `admin/stats.total_revenue` and `admin/metrics/platform.revenue`. */
  revenue: 'rpc.billing.revenue',
});

/** Error codes of the billing service (status in parentheses). */
export const BillingErrorCodes = Object.freeze({
  /** 402: the payment provider declined (the `decline_code` and reason are in the problem). */
  BILLING_ERROR: 'BILLING_ERROR',
  /** 404: no such subscription, or someone else's. */
  SUBSCRIPTION_NOT_FOUND: 'SUBSCRIPTION_NOT_FOUND',
  /** 404 */
  INVOICE_NOT_FOUND: 'INVOICE_NOT_FOUND',
  /** 404 */
  PAYMENT_METHOD_NOT_FOUND: 'PAYMENT_METHOD_NOT_FOUND',
  /** 409: adding a seat beyond `max_users`. */
  SEAT_LIMIT_REACHED: 'SEAT_LIMIT_REACHED',
  /** 409: the tenant already has a live subscription. */
  SUBSCRIPTION_EXISTS: 'SUBSCRIPTION_EXISTS',
  /** 409: a change the subscription's state does not allow (e.g. changing a canceled one). */
  INVALID_SUBSCRIPTION_STATE: 'INVALID_SUBSCRIPTION_STATE',
  /** 409: the preview being confirmed no longer matches the subscription (or expired). */
  PREVIEW_STALE: 'PREVIEW_STALE',
  /** 404: test clocks exist only with the sandbox payment provider. */
  TEST_CLOCKS_UNAVAILABLE: 'TEST_CLOCKS_UNAVAILABLE',
} as const);

export const SubscriptionStatuses = Object.freeze(['trialing', 'active', 'past_due', 'unpaid', 'canceled'] as const);
export type SubscriptionStatus = (typeof SubscriptionStatuses)[number];

export const InvoiceStatuses = Object.freeze(['draft', 'open', 'paid', 'void', 'uncollectible'] as const);
export type InvoiceStatus = (typeof InvoiceStatuses)[number];

class PageFields {
  @PageNumber() page: number = 1;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) page_size: number = 20;
  @IsOptional() @Matches(/^-?[a-z_]+(,-?[a-z_]+)*$/, { message: 'ordering must be field names, comma-separated, each optionally prefixed by -' }) ordering?: string;
}

// ---------------------------------------------------------------- requests

export class PlansListRequest {
  @IsOptional() @ValidateNested() @Type(() => CallerDto) caller?: CallerDto | null;
}

export class ListSubscriptionsRequest extends PageFields {
  @ValidateNested() @Type(() => CallerDto) caller!: CallerDto;
  @IsOptional() @IsUUID() tenant_id?: string;
  @IsOptional() @IsIn(SubscriptionStatuses) status?: SubscriptionStatus;
}

/** Fields a subscription is created or changed with. */
/** (`plan` is declared by each request: required on create, optional on change.) */
export class SubscriptionChangeFields {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100_000) max_users?: number;
  @IsOptional() @IsIn(BillingCycles) billing_cycle?: BillingCycle;
}

export class CreateSubscriptionRequest extends SubscriptionChangeFields {
  @ValidateNested() @Type(() => CallerDto) caller!: CallerDto;
  @IsUUID() tenant_id!: string;
  @IsIn(TenantPlans) plan!: TenantPlan;
  @IsOptional() @IsIn(PlanCurrencies) currency?: PlanCurrency;
  @IsOptional() @IsUUID() payment_method_id?: string;
  /** ISO 3166-1 alpha-2 country of the buyer: picks the tax rate (BILLING_TAX_RATES). */
  @IsOptional() @Matches(/^[A-Z]{2}$/, { message: 'billing_country must be an ISO 3166-1 alpha-2 code (e.g. DE)' }) billing_country?: string;
}

export class SubscriptionRefRequest {
  @ValidateNested() @Type(() => CallerDto) caller!: CallerDto;
  @IsUUID() id!: string;
}

export class PreviewSubscriptionChangeRequest extends SubscriptionChangeFields {
  @ValidateNested() @Type(() => CallerDto) caller!: CallerDto;
  @IsUUID() id!: string;
  @IsOptional() @IsIn(TenantPlans) plan?: TenantPlan;
}

export class UpdateSubscriptionRequest extends SubscriptionChangeFields {
  @ValidateNested() @Type(() => CallerDto) caller!: CallerDto;
  @IsUUID() id!: string;
  @IsOptional() @IsIn(TenantPlans) plan?: TenantPlan;
  @IsOptional() @IsUUID() payment_method_id?: string;
  @IsOptional() @Transform(toBool) @IsBoolean() cancel_at_period_end?: boolean;
  @IsOptional() @Matches(/^[A-Z]{2}$/, { message: 'billing_country must be an ISO 3166-1 alpha-2 code (e.g. DE)' }) billing_country?: string;
  /** The `preview_id` of `POST …/preview`: the change is applied only if it still costs what was shown. */
  @IsOptional() @IsUUID() preview_id?: string;
}

export class CancelSubscriptionRequest {
  @ValidateNested() @Type(() => CallerDto) caller!: CallerDto;
  @IsUUID() id!: string;
  /** true: keep it until the period ends; false (default): cancel now. */
  @IsOptional() @Transform(toBool) @IsBoolean() at_period_end?: boolean;
}

export class SeatRequest {
  @ValidateNested() @Type(() => CallerDto) caller!: CallerDto;
  @IsUUID() id!: string;
  @IsUUID() user_id!: string;
}

export class ListInvoicesRequest extends PageFields {
  @ValidateNested() @Type(() => CallerDto) caller!: CallerDto;
  @IsOptional() @IsIn(InvoiceStatuses) status?: InvoiceStatus;
  @IsOptional() @IsUUID() tenant_id?: string;
  @IsOptional() @IsUUID() subscription_id?: string;
  @IsOptional() @IsISO8601() date_from?: string;
  @IsOptional() @IsISO8601() date_to?: string;
}

export class InvoiceRefRequest {
  @ValidateNested() @Type(() => CallerDto) caller!: CallerDto;
  @IsUUID() id!: string;
}

export class ListPaymentMethodsRequest {
  @ValidateNested() @Type(() => CallerDto) caller!: CallerDto;
  @IsUUID() tenant_id!: string;
}

export class CreatePaymentMethodRequest {
  @ValidateNested() @Type(() => CallerDto) caller!: CallerDto;
  @IsUUID() tenant_id!: string;
  /** Sent once to the provider and tokenised at once: never stored, logged or returned. */
  @Matches(/^\d{12,19}$/, { message: 'card_number must be 12 to 19 digits' }) card_number!: string;
  @Type(() => Number) @IsInt() @Min(1) @Max(12) exp_month!: number;
  @Type(() => Number) @IsInt() @Min(2000) @Max(2100) exp_year!: number;
  @IsOptional() @Matches(/^\d{3,4}$/, { message: 'cvc must be 3 or 4 digits' }) cvc?: string;
  /** Make it the tenant's default (the first method always is). */
  @IsOptional() @IsBoolean() set_default?: boolean;
}

export class PaymentMethodRefRequest {
  @ValidateNested() @Type(() => CallerDto) caller!: CallerDto;
  @IsUUID() id!: string;
}

export class AdvanceTestClockRequest {
  @ValidateNested() @Type(() => CallerDto) caller!: CallerDto;
  @IsUUID() subscription_id!: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(3_660) days?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(86_400 * 366) seconds?: number;
}

export class RevenueRequest {
  @IsOptional() @ValidateNested() @Type(() => CallerDto) caller?: CallerDto;
}

// ---------------------------------------------------------------- views

export type PlanView = PlanDefinition;

export interface SubscriptionView {
  id: string;
  tenant_id: string;
  owner_id: string;
  plan: TenantPlan;
  plan_version: number;
  status: SubscriptionStatus;
  billing_cycle: BillingCycle;
  currency: PlanCurrency;
  /** Price of one cycle with the current seats, minor units. */
  amount: number;
  max_users: number;
  user_count: number;
  subscribed_user_ids: string[];
  has_available_seats: boolean;
  payment_method_id: string | null;
  billing_country: string | null;
  start_date: string;
  end_date: string | null;
  trial_end: string | null;
  current_period_start: string;
  current_period_end: string;
  /** When the next invoice is due (the end of the current period), null when nothing renews. */
  renewal_date: string | null;
  cancel_at_period_end: boolean;
  canceled_at: string | null;
  is_active: boolean;
  /** A change that takes effect at the end of the period (downgrade). */
  pending_change: { plan: TenantPlan; max_users: number; billing_cycle: BillingCycle } | null;
  /** Prorated amounts accrued to the next invoice, minor units. */
  accrued_amount: number;
  dunning: { attempts: number; next_attempt_at: string | null } | null;
  /** Sandbox test clock: how far this subscription's time is ahead of the real one. */
  test_clock_offset_s: number;
  created_at: string;
  updated_at: string;
}

export interface InvoiceLineView {
  description: string;
  kind: 'subscription' | 'seats' | 'proration_credit' | 'proration_charge' | 'accrued';
  quantity: number;
  unit_amount: number;
  amount: number;
  period_start: string | null;
  period_end: string | null;
}

export interface InvoiceView {
  id: string;
  number: string;
  tenant_id: string;
  subscription_id: string | null;
  status: InvoiceStatus;
  kind: 'period' | 'proration';
  currency: PlanCurrency;
  lines: InvoiceLineView[];
  subtotal: number;
  tax_rate_percent: number;
  tax: number;
  total: number;
  amount_paid: number;
  amount_due: number;
  period_start: string;
  period_end: string;
  issued_at: string;
  due_date: string;
  paid_at: string | null;
  voided_at: string | null;
  plan: TenantPlan;
  plan_version: number;
  buyer: { name: string; billing_address: string | null; country: string | null; email: string | null };
  pdf_url: string;
}

/** `rpc.billing.invoices.pdf`: the rendered document (the gateway answers it as application/pdf). */
export interface InvoicePdf {
  filename: string;
  content_type: 'application/pdf';
  content_base64: string;
}

export interface PaymentMethodView {
  id: string;
  tenant_id: string;
  provider: string;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  is_default: boolean;
  created_at: string;
}

export interface SubscriptionChangePreview {
  /** Confirm with `PUT billing/subscriptions/{id}` and this `preview_id`; refused once the subscription changed or it expired. */
  preview_id: string;
  subscription_id: string;
  expires_at: string;
  /** `now`: invoiced (or accrued) at once; `period_end`: applied at renewal, nothing due now. */
  effective: 'now' | 'period_end';
  /** What happens to the net amount: a new invoice now, accrued to the next one, or nothing. */
  billing: 'invoice_now' | 'accrue' | 'none';
  from: { plan: TenantPlan; max_users: number; billing_cycle: BillingCycle; amount: number };
  to: { plan: TenantPlan; max_users: number; billing_cycle: BillingCycle; amount: number };
  currency: PlanCurrency;
  lines: InvoiceLineView[];
  /** Credit for the unused part of the current period (positive number, minor units). */
  credit: number;
  /** Charged for the rest of the period on the new terms. */
  charge: number;
  subtotal: number;
  tax: number;
  /** What the buyer pays now (0 when accrued or deferred). */
  amount_due: number;
  /** Credit left over (carried to the next invoice) when the credit exceeds the charge. */
  credit_balance: number;
  new_period_end: string;
}

export interface RevenueView {
  /** Paid invoices ever, in `currency` (the platform's reporting currency). */
  total_revenue: number;
  currency: PlanCurrency;
  /** Monthly recurring revenue of live (active/past_due) subscriptions; annual ones count 1/12. */
  mrr: number;
  arr: number;
  last_30_days: number;
  by_plan: Record<string, { subscriptions: number; mrr: number; revenue: number }>;
  /** Other currencies, each summed on its own (never converted). */
  by_currency: Record<string, { total_revenue: number; mrr: number; last_30_days: number }>;
}

// ---------------------------------------------------------------- events

/** Fields of tenant.* events billing relies on (the rest of the snapshot is ignored). */
export class TenantBillingEventData {
  @IsUUID() tenant_id!: string;
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @IsIn(TenantPlans) plan?: TenantPlan;
  @IsOptional() @IsUUID() owner_id?: string;
  @IsOptional() @IsString() billing_address?: string | null;
  @IsOptional() @IsString() contact_email?: string | null;
  [extra: string]: unknown;
}

export class SubscriptionEventData {
  @IsUUID() subscription_id!: string;
  @IsUUID() tenant_id!: string;
  @IsOptional() @IsUUID() owner_id?: string;
  @IsIn(TenantPlans) plan!: TenantPlan;
  @IsIn(SubscriptionStatuses) status!: SubscriptionStatus;
  @IsIn(BillingCycles) billing_cycle!: BillingCycle;
  @IsInt() max_users!: number;
  @IsInt() amount!: number;
  @IsIn(PlanCurrencies) currency!: PlanCurrency;
  @IsBoolean() is_active!: boolean;
  @IsOptional() @IsISO8601() trial_ends_at?: string | null;
  @IsISO8601() current_period_start!: string;
  @IsISO8601() current_period_end!: string;
  @IsISO8601() start_date!: string;
  @IsOptional() @IsISO8601() end_date?: string | null;
  @IsBoolean() cancel_at_period_end!: boolean;
  @IsOptional() @IsArray() @IsString({ each: true }) changed_fields?: string[];
  @IsOptional() @IsString() previous_plan?: string | null;
  @IsOptional() @IsInt() proration_amount?: number;
  [extra: string]: unknown;
}

export class InvoiceEventData {
  @IsUUID() invoice_id!: string;
  @IsUUID() tenant_id!: string;
  @IsOptional() @IsUUID() subscription_id?: string | null;
  @IsString() number!: string;
  @IsIn(InvoiceStatuses) status!: InvoiceStatus;
  @IsInt() amount!: number;
  @IsInt() subtotal!: number;
  @IsInt() tax!: number;
  @IsIn(PlanCurrencies) currency!: PlanCurrency;
  @IsISO8601() period_start!: string;
  @IsISO8601() period_end!: string;
  @IsISO8601() due_at!: string;
  [extra: string]: unknown;
}

export class PaymentEventData {
  @IsUUID() payment_id!: string;
  @IsOptional() @IsUUID() invoice_id?: string | null;
  @IsUUID() tenant_id!: string;
  @IsInt() amount!: number;
  @IsIn(PlanCurrencies) currency!: PlanCurrency;
  @IsString() provider!: string;
  @IsOptional() @IsString() provider_payment_id?: string;
  @IsOptional() @IsISO8601() paid_at?: string;
  @IsOptional() @IsString() reason?: string;
  @IsOptional() @IsBoolean() retryable?: boolean;
  @IsOptional() @IsString() error_code?: string;
  @IsOptional() @IsString() decline_code?: string;
  @IsOptional() @IsNumber() attempt?: number;
  @IsOptional() @IsISO8601() next_attempt_at?: string | null;
  /**
   * The charge that starts a subscription without a trial: the tenant is not live until it succeeds.
   * The tenants saga holds the tenant in `error` (code BILLING_ERROR, the decline as the reason)
   * while it fails, and provisions it again when it succeeds.
   */
  @IsOptional() @IsBoolean() first_payment?: boolean;
  [extra: string]: unknown;
}

/** Event type → payload class of every event the billing service publishes. */
export const BillingEventPayloads = Object.freeze({
  [EventTypes.SubscriptionCreated]: SubscriptionEventData,
  [EventTypes.SubscriptionUpdated]: SubscriptionEventData,
  [EventTypes.SubscriptionCanceled]: SubscriptionEventData,
  [EventTypes.SubscriptionPastDue]: SubscriptionEventData,
  [EventTypes.InvoiceCreated]: InvoiceEventData,
  [EventTypes.InvoicePaid]: InvoiceEventData,
  [EventTypes.InvoiceVoided]: InvoiceEventData,
  [EventTypes.PaymentSucceeded]: PaymentEventData,
  [EventTypes.PaymentFailed]: PaymentEventData,
});

/** One seat of a subscription (`rpc.billing.seats.list`). */
export interface SeatView {
  user_id: string;
  added_at: string;
}
