import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminModule } from './admin/admin.module.js';
import { AdminTokenGuard } from './auth/admin-token.guard.js';
import { HealthModule } from './health/health.module.js';
import { HttpConventionsModule } from './http/http.module.js';
import { MetricsModule } from './metrics/metrics.module.js';

/** The gateway: public REST in front of the services. Feature modules forward to them over NATS. */
@Module({
  imports: [HttpConventionsModule, HealthModule, MetricsModule, AdminModule],
  providers: [{ provide: APP_GUARD, useClass: AdminTokenGuard }],
})
export class AppModule {}
