import { ApiProperty } from '@nestjs/swagger';
import {
  BillingCycles,
  InvoiceStatuses,
  PlanCurrencies,
  SubscriptionStatuses,
  TenantPlans,
  type BillingCycle,
  type InvoiceLineView,
  type InvoiceStatus,
  type InvoiceView,
  type PaymentMethodView,
  type PlanCurrency,
  type PlanLimits,
  type PlanPrice,
  type PlanView,
  type ProrationBehaviour,
  type SubscriptionChangePreview,
  type SubscriptionStatus,
  type SubscriptionView,
  type TenantPlan,
} from '@saas/contracts';
import { Bool, DateTime, Int, Nested, NestedList, NullableDateTime, NullableStr, NullableUuid, Num, OneOf, Str, Uuid } from '../../http/view-properties.js';

class PendingChangeDto {
  @OneOf(TenantPlans) plan!: TenantPlan;
  @Int() max_users!: number;
  @OneOf(BillingCycles) billing_cycle!: BillingCycle;
}

class DunningDto {
  @Int('Failed payment attempts so far.') attempts!: number;
  @NullableDateTime() next_attempt_at!: string | null;
}

/** `SubscriptionView` (libs/contracts/src/billing.ts) as documented; money in minor units. */
export class SubscriptionViewDto implements SubscriptionView {
  @Uuid() id!: string;
  @Uuid() tenant_id!: string;
  @Uuid() owner_id!: string;
  @OneOf(TenantPlans) plan!: TenantPlan;
  @Int() plan_version!: number;
  @OneOf(SubscriptionStatuses) status!: SubscriptionStatus;
  @OneOf(BillingCycles) billing_cycle!: BillingCycle;
  @OneOf(PlanCurrencies) currency!: PlanCurrency;
  @Int('Price of one cycle with the current seats, minor units.', { example: 4900 }) amount!: number;
  @Int() max_users!: number;
  @Int() user_count!: number;
  @ApiProperty({ type: [String], format: 'uuid' }) subscribed_user_ids!: string[];
  @Bool() has_available_seats!: boolean;
  @NullableUuid() payment_method_id!: string | null;
  @NullableStr('ISO 3166-1 alpha-2.', { example: 'DE' }) billing_country!: string | null;
  @DateTime() start_date!: string;
  @NullableDateTime() end_date!: string | null;
  @NullableDateTime() trial_end!: string | null;
  @DateTime() current_period_start!: string;
  @DateTime() current_period_end!: string;
  @NullableDateTime('When the next invoice is due; null when nothing renews.') renewal_date!: string | null;
  @Bool() cancel_at_period_end!: boolean;
  @NullableDateTime() canceled_at!: string | null;
  @Bool() is_active!: boolean;
  @Nested(PendingChangeDto, { nullable: true, description: 'A change taking effect at the period end (downgrade).' }) pending_change!: PendingChangeDto | null;
  @Int('Prorated amounts accrued to the next invoice, minor units.') accrued_amount!: number;
  @Nested(DunningDto, { nullable: true }) dunning!: DunningDto | null;
  @Int('Sandbox test clock: seconds this subscription’s time is ahead.') test_clock_offset_s!: number;
  @DateTime() created_at!: string;
  @DateTime() updated_at!: string;
}

export class InvoiceLineViewDto implements InvoiceLineView {
  @Str() description!: string;
  @OneOf(['subscription', 'seats', 'proration_credit', 'proration_charge', 'accrued']) kind!: InvoiceLineView['kind'];
  @Int() quantity!: number;
  @Int('Minor units.') unit_amount!: number;
  @Int('Minor units (negative for a credit).') amount!: number;
  @NullableDateTime() period_start!: string | null;
  @NullableDateTime() period_end!: string | null;
}

class InvoiceBuyerDto {
  @Str() name!: string;
  @NullableStr() billing_address!: string | null;
  @NullableStr() country!: string | null;
  @NullableStr(undefined, { format: 'email' }) email!: string | null;
}

/** `InvoiceView` as documented; money in minor units. */
export class InvoiceViewDto implements InvoiceView {
  @Uuid() id!: string;
  @Str(undefined, { example: 'INV-2026-000042' }) number!: string;
  @Uuid() tenant_id!: string;
  @NullableUuid() subscription_id!: string | null;
  @OneOf(InvoiceStatuses) status!: InvoiceStatus;
  @OneOf(['period', 'proration']) kind!: InvoiceView['kind'];
  @OneOf(PlanCurrencies) currency!: PlanCurrency;
  @NestedList(InvoiceLineViewDto) lines!: InvoiceLineViewDto[];
  @Int() subtotal!: number;
  @Num() tax_rate_percent!: number;
  @Int() tax!: number;
  @Int() total!: number;
  @Int() amount_paid!: number;
  @Int() amount_due!: number;
  @DateTime() period_start!: string;
  @DateTime() period_end!: string;
  @DateTime() issued_at!: string;
  @DateTime() due_date!: string;
  @NullableDateTime() paid_at!: string | null;
  @NullableDateTime() voided_at!: string | null;
  @OneOf(TenantPlans) plan!: TenantPlan;
  @Int() plan_version!: number;
  @Nested(InvoiceBuyerDto) buyer!: InvoiceBuyerDto;
  @Str('The invoice as a PDF.', { example: '/api/v1/billing/invoices/5b8f1d2e-0c3a-4e59-9a77-1c2d3e4f5a6b/pdf' }) pdf_url!: string;
}

/** `PaymentMethodView`: tokenised, never the card number. */
export class PaymentMethodViewDto implements PaymentMethodView {
  @Uuid() id!: string;
  @Uuid() tenant_id!: string;
  @Str(undefined, { example: 'sandbox' }) provider!: string;
  @Str(undefined, { example: 'visa' }) brand!: string;
  @Str(undefined, { example: '4242' }) last4!: string;
  @Int(undefined, { minimum: 1, maximum: 12 }) exp_month!: number;
  @Int() exp_year!: number;
  @Bool() is_default!: boolean;
  @DateTime() created_at!: string;
}

class PreviewTermsDto {
  @OneOf(TenantPlans) plan!: TenantPlan;
  @Int() max_users!: number;
  @OneOf(BillingCycles) billing_cycle!: BillingCycle;
  @Int('Price of one cycle, minor units.') amount!: number;
}

/** `SubscriptionChangePreview` as documented; money in minor units. */
export class SubscriptionChangePreviewDto implements SubscriptionChangePreview {
  @Uuid('Confirm with `PUT billing/subscriptions/{id}` and this id.') preview_id!: string;
  @Uuid() subscription_id!: string;
  @DateTime() expires_at!: string;
  @OneOf(['now', 'period_end']) effective!: SubscriptionChangePreview['effective'];
  @OneOf(['invoice_now', 'accrue', 'none']) billing!: SubscriptionChangePreview['billing'];
  @Nested(PreviewTermsDto) from!: PreviewTermsDto;
  @Nested(PreviewTermsDto) to!: PreviewTermsDto;
  @OneOf(PlanCurrencies) currency!: PlanCurrency;
  @NestedList(InvoiceLineViewDto) lines!: InvoiceLineViewDto[];
  @Int('Credit for the unused part of the period.') credit!: number;
  @Int('Charged for the rest of the period on the new terms.') charge!: number;
  @Int() subtotal!: number;
  @Int() tax!: number;
  @Int('What the buyer pays now.') amount_due!: number;
  @Int('Credit carried to the next invoice.') credit_balance!: number;
  @DateTime() new_period_end!: string;
}

class PlanPriceDto implements PlanPrice {
  @Int('Base price per cycle, seats included; minor units.') amount!: number;
  @Int('Each seat above `seats_included`, per cycle.') extra_seat_amount!: number;
}

class CyclePricesDto implements Record<BillingCycle, PlanPrice> {
  @Nested(PlanPriceDto) monthly!: PlanPriceDto;
  @Nested(PlanPriceDto) annually!: PlanPriceDto;
}

class CurrencyPricesDto implements Record<PlanCurrency, Record<BillingCycle, PlanPrice>> {
  @Nested(CyclePricesDto) USD!: CyclePricesDto;
  @Nested(CyclePricesDto) EUR!: CyclePricesDto;
}

class ProrationBehaviourDto implements ProrationBehaviour {
  @OneOf(['invoice_now', 'accrue']) mode!: ProrationBehaviour['mode'];
  @Int('Net amounts below this (minor units) accrue.') invoice_now_threshold!: number;
}

class PlanLimitsDto implements PlanLimits {
  @Int() tenants_per_owner!: number;
  @Int() max_seats!: number;
  @Str() cpu_request!: string;
  @Str() cpu_limit!: string;
  @Str() memory_request!: string;
  @Str() memory_limit!: string;
  @Str() storage!: string;
  @Int() backup_retention_days!: number;
  @OneOf(['standard', 'premium', 'enterprise']) rate_limit_tier!: PlanLimits['rate_limit_tier'];
  @Int() webhook_endpoints!: number;
}

/** A plan of the catalogue (`PlanView`). */
export class PlanViewDto implements PlanView {
  @OneOf(TenantPlans) code!: TenantPlan;
  @Int() version!: number;
  @Str(undefined, { example: 'Standard' }) name!: string;
  @Int('Higher is an upgrade.') tier!: number;
  @Nested(CurrencyPricesDto, { description: 'By currency, then billing cycle.' }) prices!: CurrencyPricesDto;
  @Int('0: no trial.') trial_days!: number;
  @Int() seats_included!: number;
  @Nested(ProrationBehaviourDto) proration!: ProrationBehaviourDto;
  @Nested(PlanLimitsDto) limits!: PlanLimitsDto;
}

/** `GET billing/plans`: the catalogue (not paginated). */
export class PlanListDto {
  @Int() count!: number;
  @NestedList(PlanViewDto) results!: PlanViewDto[];
}

/** A seat of `GET billing/subscriptions/{id}/users`. */
export class SeatViewDto {
  @Uuid() user_id!: string;
  @DateTime() added_at!: string;
}
