/** The TenantDatabaseManager (tenants' databases, roles and spares on the tenant Postgres); swapped in tests. */
export const TENANT_DATABASES = Symbol('TENANT_DATABASES');
