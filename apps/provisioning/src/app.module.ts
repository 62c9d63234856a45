import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { SecretBox } from '@saas/database';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { ProvisioningConfig } from './config.js';
import { InstancesController } from './instances/instances.controller.js';
import { TenantDataController } from './instances/tenant-data.controller.js';
import { JobIntakeHandlers } from './jobs/job-intake.handlers.js';
import { ProvisioningSteps } from './jobs/provisioning-steps.js';
import { ProvisioningWorker } from './jobs/provisioning-worker.js';
import { PROVISIONING_SECRETS, TENANT_DATABASES, TENANT_RUNTIME } from './jobs/tokens.js';
import { createTenantRuntime } from './runtime/runtime.factory.js';
import { SecurityFindingsController } from './security/security-findings.controller.js';
import type { TenantRuntime } from './runtime/tenant-runtime.js';
import { createTenantDatabaseManager } from './tenant-database/tenant-database.factory.js';
import type { TenantDatabaseManager } from './tenant-database/tenant-database.manager.js';
import { registerSpareDatabasesMetric } from './tenant-database/spare-databases.js';

/** Closes the runtime's background work and the admin pool; tenants' instances keep running. */
class RuntimeLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(TENANT_RUNTIME) private readonly runtime: TenantRuntime,
    @Inject(TENANT_DATABASES) private readonly databases: TenantDatabaseManager,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
    await this.databases.close();
  }
}

/** The provisioning service: the provisioning side of the tenant saga, on a local or Kubernetes runtime. */
@Module({
  controllers: [InstancesController, SecurityFindingsController, TenantDataController],
  providers: [
    {
      provide: TENANT_DATABASES,
      inject: [SERVICE_CONFIG, SERVICE_LOGGER],
      useFactory: (config: ProvisioningConfig, logger: Logger) => {
        const databases = createTenantDatabaseManager(config, logger);
        registerSpareDatabasesMetric(databases.spares);
        return databases;
      },
    },
    {
      provide: TENANT_RUNTIME,
      inject: [SERVICE_CONFIG, SERVICE_LOGGER, TENANT_DATABASES],
      // init() adopts the instances a previous process left running before any job can touch them.
      useFactory: async (config: ProvisioningConfig, logger: Logger, databases: TenantDatabaseManager) => {
        const runtime = createTenantRuntime(config, { logger, storage: databases });
        await runtime.init();
        return runtime;
      },
    },
    {
      provide: PROVISIONING_SECRETS,
      inject: [SERVICE_CONFIG],
      useFactory: (config: ProvisioningConfig) => new SecretBox(config.PROVISIONING_SECRET_KEYS.split(',').map((s) => s.trim())),
    },
    RuntimeLifecycle,
    JobIntakeHandlers,
    ProvisioningSteps,
    ProvisioningWorker,
  ],
})
export class AppModule {}
