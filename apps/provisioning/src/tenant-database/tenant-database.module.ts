import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { ProvisioningConfig } from '../config.js';
import { registerSpareDatabasesMetric } from './spare-databases.js';
import { createTenantDatabaseManager } from './tenant-database.factory.js';
import type { TenantDatabaseManager } from './tenant-database.manager.js';
import { TENANT_DATABASES } from './tenant-database.tokens.js';

/** Closes the admin pool once everything that uses it has stopped (this module shuts down after its importers). */
class TenantDatabasesLifecycle implements OnApplicationShutdown {
  constructor(@Inject(TENANT_DATABASES) private readonly databases: TenantDatabaseManager) {}

  async onApplicationShutdown(): Promise<void> {
    await this.databases.close();
  }
}

/** Tenants' databases and roles on the tenant Postgres (shared or dedicated), and the spare pool. */
@Module({
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
    TenantDatabasesLifecycle,
  ],
  exports: [TENANT_DATABASES],
})
export class TenantDatabaseModule {}
