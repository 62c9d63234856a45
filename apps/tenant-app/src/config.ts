/** The sample tenant app's environment; anything wrong stops it with one line naming the variable. */
export interface TenantAppConfig {
  tenantId: string;
  tenantName: string;
  tenantSlug: string;
  databaseUrl: string;
  /** The tenant's own schema (its role's search_path too; set on every connection to be sure). */
  databaseSchema: string | null;
  host: string;
  port: number;
  logLevel: LogLevelName;
  /** Where the runtime cloned the tenant's custom_plugin_repo (each subdirectory an add-on), if it has one. */
  addonsDir: string | null;
}

export const LOG_LEVEL_VALUES = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
export type LogLevelName = keyof typeof LOG_LEVEL_VALUES;

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

export function readConfig(env: NodeJS.ProcessEnv): TenantAppConfig {
  const problems: string[] = [];
  const required = (key: string): string => {
    const value = env[key];
    if (!value) problems.push(`${key} is required`);
    return value ?? '';
  };
  const port = Number(env.PORT ?? '');
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push('PORT must be a port number');
  const schema = env.DATABASE_SCHEMA || null;
  if (schema && !SCHEMA.test(schema)) problems.push('DATABASE_SCHEMA must be a lower-case identifier');
  const level = (env.LOG_LEVEL ?? 'info') as LogLevelName;
  if (!(level in LOG_LEVEL_VALUES)) problems.push(`LOG_LEVEL must be one of ${Object.keys(LOG_LEVEL_VALUES).join(', ')}`);
  const config: TenantAppConfig = {
    tenantId: required('TENANT_ID'),
    tenantName: required('TENANT_NAME'),
    tenantSlug: required('TENANT_SLUG'),
    databaseUrl: required('DATABASE_URL'),
    databaseSchema: schema,
    host: env.HOST || '127.0.0.1',
    port,
    logLevel: level,
    addonsDir: env.ADDONS_DIR || null,
  };
  if (problems.length) throw new Error(`invalid configuration: ${problems.join('; ')}`);
  return config;
}
