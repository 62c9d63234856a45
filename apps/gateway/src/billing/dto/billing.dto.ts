import { OmitType } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import {
  AdvanceTestClockRequest,
  CancelSubscriptionRequest,
  CreatePaymentMethodRequest,
  CreateSubscriptionRequest,
  ListInvoicesRequest,
  ListPaymentMethodsRequest,
  ListSubscriptionsRequest,
  PreviewSubscriptionChangeRequest,
  SeatRequest,
  UpdateSubscriptionRequest,
} from '@saas/contracts';
import { documented, required, str } from '../../identity/dto/documented.js';

const uuid = (description: string) => str(description, { format: 'uuid' });
const plan = { type: String, enum: ['free', 'standard', 'premium', 'enterprise'], description: 'Plan code (see `GET billing/plans`).' };
const cycle = { type: String, enum: ['monthly', 'annually'], description: 'Billing cycle.' };
const seats = { type: Number, minimum: 1, description: 'Seats (`max_users`); above the plan’s included seats each costs extra.' };

/** The billing contract's request classes minus what the gateway fills in (caller, path ids). */
export class ListSubscriptionsQuery extends OmitType(ListSubscriptionsRequest, ['caller'] as const) {}
documented(ListSubscriptionsQuery, { tenant_id: uuid('Only this tenant’s.'), status: str('trialing, active, past_due, unpaid or canceled.') });

export class CreateSubscriptionBody extends OmitType(CreateSubscriptionRequest, ['caller'] as const) {}
documented(CreateSubscriptionBody, {
  tenant_id: required(uuid('The tenant (it must have no live subscription).')),
  plan: required(plan),
  billing_cycle: cycle,
  max_users: seats,
  currency: { type: String, enum: ['USD', 'EUR'], description: 'Currency of the plan’s prices.' },
  payment_method_id: uuid('Card to charge (default: the tenant’s default card).'),
  billing_country: str('ISO 3166-1 alpha-2 country of the buyer; picks the tax rate.'),
});

export class UpdateSubscriptionBody extends OmitType(UpdateSubscriptionRequest, ['caller', 'id'] as const) {}
documented(UpdateSubscriptionBody, {
  plan,
  max_users: seats,
  billing_cycle: cycle,
  payment_method_id: uuid('Card to charge.'),
  cancel_at_period_end: { type: Boolean, description: 'Cancel when the current period ends (false: keep renewing).' },
  billing_country: str('ISO 3166-1 alpha-2 country of the buyer.'),
  preview_id: uuid('Confirm exactly the amounts of this `POST …/preview`; refused (409 PREVIEW_STALE) once the subscription changed.'),
});

export class PreviewChangeBody extends OmitType(PreviewSubscriptionChangeRequest, ['caller', 'id'] as const) {}
documented(PreviewChangeBody, { plan, max_users: seats, billing_cycle: cycle });

export class CancelSubscriptionQuery extends OmitType(CancelSubscriptionRequest, ['caller', 'id'] as const) {}
documented(CancelSubscriptionQuery, { at_period_end: { type: Boolean, description: 'true: keep it until the period ends; false (default): cancel now.' } });

export class AddSeatBody extends OmitType(SeatRequest, ['caller', 'id'] as const) {}
documented(AddSeatBody, { user_id: required(uuid('The user taking a seat.')) });

export class ListInvoicesQuery extends OmitType(ListInvoicesRequest, ['caller'] as const) {}
documented(ListInvoicesQuery, {
  status: str('draft, open, paid, void or uncollectible.'),
  tenant_id: uuid('Only this tenant’s.'),
  subscription_id: uuid('Only this subscription’s.'),
  date_from: str('Issued at or after (ISO 8601).', { format: 'date-time' }),
  date_to: str('Issued at or before (ISO 8601).', { format: 'date-time' }),
});

export class ListPaymentMethodsQuery extends OmitType(ListPaymentMethodsRequest, ['caller'] as const) {}
documented(ListPaymentMethodsQuery, { tenant_id: required(uuid('The tenant whose cards to list.')) });

export class CreatePaymentMethodBody extends OmitType(CreatePaymentMethodRequest, ['caller'] as const) {}
documented(CreatePaymentMethodBody, {
  tenant_id: required(uuid('The tenant the card pays for.')),
  card_number: required(str('Card number; tokenised at once, never stored or returned (sandbox: 4242424242424242 succeeds, 4000000000000002 declines, 4000002500003155 requires authentication).')),
  exp_month: required({ type: Number, minimum: 1, maximum: 12 }),
  exp_year: required({ type: Number, minimum: 2000 }),
  cvc: str('3 or 4 digits; sent to the provider only.'),
  set_default: { type: Boolean, description: 'Make it the tenant’s default (the first card always is).' },
});

export class AdvanceClockBody extends OmitType(AdvanceTestClockRequest, ['caller', 'subscription_id'] as const) {}
documented(AdvanceClockBody, { days: { type: Number, minimum: 0 }, seconds: { type: Number, minimum: 0 } });

export class IdParams {
  @IsUUID()
  id!: string;
}

export class SeatParams extends IdParams {
  @IsUUID()
  user_id!: string;
}

export class SubscriptionClockParams {
  @IsUUID()
  subscription_id!: string;
}
