import { Module } from '@nestjs/common';
import { InvoicesController } from './invoices.controller.js';
import { PaymentMethodsController } from './payment-methods.controller.js';
import { PlansController } from './plans.controller.js';
import { SubscriptionsController } from './subscriptions.controller.js';

/** The billing service's public routes: thin controllers mapping onto its RPCs. */
@Module({ controllers: [PlansController, SubscriptionsController, InvoicesController, PaymentMethodsController] })
export class BillingHttpModule {}
