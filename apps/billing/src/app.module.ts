import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { SeamsModule, SecureRandom, SERVICE_CONFIG } from '@saas/service-kit';
import type { BillingConfig } from './config.js';
import { TenantsPort } from './common/tenants-port.js';
import { InvoiceIssuer } from './invoices/invoice-issuer.js';
import { InvoicesController } from './invoices/invoices.controller.js';
import { InvoicesService } from './invoices/invoices.service.js';
import { PaymentCollector } from './payments/payment-collector.js';
import { PaymentMethodsController } from './payments/payment-methods.controller.js';
import { PaymentMethodsService } from './payments/payment-methods.service.js';
import { PaymentProvider } from './payments/payment-provider.js';
import { SandboxPaymentProvider } from './payments/sandbox-payment-provider.js';
import { StripePaymentProvider } from './payments/stripe-payment-provider.js';
import { StripeWebhookHandler } from './payments/stripe-webhook.handler.js';
import { PlansController } from './plans/plans.controller.js';
import { RenewalScheduler } from './renewals/renewal.scheduler.js';
import { RenewalService } from './renewals/renewal.service.js';
import { RevenueController } from './revenue/revenue.controller.js';
import { RevenueService } from './revenue/revenue.service.js';
import { SubscriptionLifecycle } from './subscriptions/subscription-lifecycle.js';
import { SubscriptionsController } from './subscriptions/subscriptions.controller.js';
import { SubscriptionsService } from './subscriptions/subscriptions.service.js';
import { TenantBillingSaga } from './subscriptions/tenant-billing.saga.js';

/** The billing service: plans, subscriptions and seats, invoices, payment methods, renewals and dunning, revenue. */
@Module({
  imports: [SeamsModule, ScheduleModule.forRoot()],
  controllers: [PlansController, SubscriptionsController, InvoicesController, PaymentMethodsController, RevenueController],
  providers: [
    {
      provide: PaymentProvider,
      inject: [SERVICE_CONFIG, SecureRandom],
      useFactory: (config: BillingConfig, random: SecureRandom): PaymentProvider =>
        config.BILLING_PAYMENT_PROVIDER === 'stripe'
          ? new StripePaymentProvider({ secretKey: config.STRIPE_SECRET_KEY!, apiBase: config.STRIPE_API_BASE })
          : new SandboxPaymentProvider(random),
    },
    TenantsPort,
    SubscriptionLifecycle,
    InvoiceIssuer,
    PaymentCollector,
    RenewalService,
    RenewalScheduler,
    SubscriptionsService,
    TenantBillingSaga,
    StripeWebhookHandler,
    InvoicesService,
    PaymentMethodsService,
    RevenueService,
  ],
})
export class AppModule {}
