import { Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BillingHttpModule } from './billing/billing.module.js';
import { BackupsHttpModule } from './backups/backups.module.js';
import { HealthModule } from './health/health.module.js';
import { HttpConventionsModule } from './http/http.module.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { TenantsHttpModule } from './tenants/tenants.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { MaintenanceModule } from './maintenance/maintenance.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { SecurityHttpModule } from './security/security.module.js';
import { WebhooksHttpModule } from './webhooks/webhooks.module.js';
import { IntegrationsHttpModule } from './integrations/integrations.module.js';

/**
 * The gateway: public REST in front of the services. Feature modules forward to them over NATS.
 * Every route needs authentication unless marked `@Public()` (AuthModule's global guard).
 */
@Module({
  imports: [
    HttpConventionsModule,
    AuthModule,
    RateLimitModule,
    IdempotencyModule,
    HealthModule,
    MetricsModule,
    MaintenanceModule,
    SecurityHttpModule,
    AdminModule,
    IdentityModule,
    TenantsHttpModule,
    BillingHttpModule,
    WebhooksHttpModule,
    IntegrationsHttpModule,
    BackupsHttpModule,
  ],
})
export class AppModule {}
