import { Module } from '@nestjs/common';
import { SecretBox } from '@saas/database';
import { SERVICE_CONFIG } from '@saas/service-kit';
import type { ProvisioningConfig } from '../config.js';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { TenantDatabaseModule } from '../tenant-database/tenant-database.module.js';
import { JobIntakeHandlers } from './job-intake.handlers.js';
import { ProvisioningSteps } from './provisioning-steps.js';
import { ProvisioningWorker } from './provisioning-worker.js';
import { PROVISIONING_SECRETS } from './tokens.js';

/**
 * The provisioning side of the tenant saga: the tenants service's requests become jobs (in the inbox
 * transaction), and the worker runs them under a lease, step by idempotent step.
 */
@Module({
  imports: [RuntimeModule, TenantDatabaseModule],
  providers: [
    {
      provide: PROVISIONING_SECRETS,
      inject: [SERVICE_CONFIG],
      useFactory: (config: ProvisioningConfig) => new SecretBox(config.PROVISIONING_SECRET_KEYS.split(',').map((s) => s.trim())),
    },
    JobIntakeHandlers,
    ProvisioningSteps,
    ProvisioningWorker,
  ],
})
export class JobsModule {}
