import type { Logger } from 'pino';
import type { ProvisioningRuntimeConfig } from '../runtime/runtime.config.js';
import { withDatabase } from './postgres-tools.js';
import { TenantDatabaseManager } from './tenant-database.manager.js';

/** TENANT_DATABASE_ADMIN_URL, or the platform's own server (DATABASE_URL) through its `postgres` maintenance database. */
export function tenantDatabaseAdminUrl(config: Pick<ProvisioningRuntimeConfig, 'TENANT_DATABASE_ADMIN_URL'> & { DATABASE_URL: string }): string {
  return config.TENANT_DATABASE_ADMIN_URL ?? withDatabase(config.DATABASE_URL, 'postgres');
}

export function createTenantDatabaseManager(
  config: ProvisioningRuntimeConfig & { DATABASE_URL: string; NODE_ENV?: string; PROVISIONING_CONCURRENCY?: number },
  logger?: Logger,
): TenantDatabaseManager {
  return new TenantDatabaseManager({
    adminUrl: tenantDatabaseAdminUrl(config),
    sharedDatabase: config.SHARED_TENANT_DATABASE,
    spareDatabases: config.TENANT_DATABASE_SPARES ?? (config.NODE_ENV === 'test' ? 0 : 5),
    adminConnections: Math.max(3, config.PROVISIONING_CONCURRENCY ?? 0),
    ...(config.TENANT_DATABASE_HOST ? { tenantHost: config.TENANT_DATABASE_HOST } : {}),
    ...(config.TENANT_DATABASE_PORT ? { tenantPort: config.TENANT_DATABASE_PORT } : {}),
    ...(logger ? { logger } : {}),
  });
}
