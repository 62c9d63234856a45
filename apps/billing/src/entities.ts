import { InvoiceCounter } from './invoices/invoice-counter.entity.js';
import { Invoice } from './invoices/invoice.entity.js';
import { PaymentMethod } from './payments/payment-method.entity.js';
import { Payment } from './payments/payment.entity.js';
import { ProviderEvent } from './payments/provider-event.entity.js';
import { SubscriptionPreview } from './subscriptions/subscription-preview.entity.js';
import { SubscriptionSeat } from './subscriptions/subscription-seat.entity.js';
import { SubscriptionTransition } from './subscriptions/subscription-transition.entity.js';
import { Subscription } from './subscriptions/subscription.entity.js';

/** Entities of the billing schema (the messaging tables are added by the service kit). */
export const billingEntities = [Subscription, SubscriptionSeat, SubscriptionTransition, SubscriptionPreview, Invoice, InvoiceCounter, PaymentMethod, Payment, ProviderEvent];
