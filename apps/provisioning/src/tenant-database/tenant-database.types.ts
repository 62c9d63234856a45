export const DATABASE_STRATEGIES = ['shared', 'dedicated'] as const;
/** `dedicated`: a database of its own. `shared`: a schema of its own in one database shared by tenants. */
export type DatabaseStrategy = (typeof DATABASE_STRATEGIES)[number];

/**
 * Where a tenant's data lives and how its app connects. The layout is the same for both strategies:
 * one role `tenant_<slug>` owning one schema of the same name (its search_path), in a database of
 * its own (`dedicated`) or in the shared tenants database (`shared`). That is what makes moving a
 * tenant between strategies a plain dump and restore of one schema.
 */
export interface TenantDatabaseInfo {
  strategy: DatabaseStrategy;
  host: string;
  port: number;
  database: string;
  schema: string;
  role: string;
  /** Secret; never log it. The one the caller passed to create, else a new one (the caller stores the latest). */
  password: string;
  /** Secret: `postgres://role:password@host:port/database`. */
  url: string;
}

/** Enough to find a tenant's data without its credentials (sizes, drops). */
export type TenantDatabaseRef = Pick<TenantDatabaseInfo, 'strategy' | 'database' | 'schema'>;
