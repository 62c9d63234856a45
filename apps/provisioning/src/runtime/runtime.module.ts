import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { ProvisioningConfig } from '../config.js';
import { TenantDatabaseModule } from '../tenant-database/tenant-database.module.js';
import type { TenantDatabaseManager } from '../tenant-database/tenant-database.manager.js';
import { TENANT_DATABASES } from '../tenant-database/tenant-database.tokens.js';
import { createTenantRuntime } from './runtime.factory.js';
import { TENANT_RUNTIME } from './runtime.tokens.js';
import type { TenantRuntime } from './tenant-runtime.js';

/** Closes the runtime's background work at shutdown; tenants' instances keep running. */
class RuntimeLifecycle implements OnApplicationShutdown {
  constructor(@Inject(TENANT_RUNTIME) private readonly runtime: TenantRuntime) {}

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}

/** Where tenants' apps run: the local or Kubernetes runtime PROVISIONING_RUNTIME names. */
@Module({
  imports: [TenantDatabaseModule],
  providers: [
    {
      provide: TENANT_RUNTIME,
      inject: [SERVICE_CONFIG, SERVICE_LOGGER, TENANT_DATABASES, Clock],
      // init() adopts the instances a previous process left running before any job can touch them.
      useFactory: async (config: ProvisioningConfig, logger: Logger, databases: TenantDatabaseManager, clock: Clock) => {
        const runtime = createTenantRuntime(config, { logger, storage: databases, clock });
        await runtime.init();
        return runtime;
      },
    },
    RuntimeLifecycle,
  ],
  exports: [TENANT_RUNTIME],
})
export class RuntimeModule {}
