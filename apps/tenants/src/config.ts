import { baseConfigSchema, z } from '@saas/config';
import type { TenantPlan } from '@saas/contracts';

export const DEV_SECRET = 'dev-only-tenants-secret-key-change-me';

export const tenantsConfigSchema = baseConfigSchema
  .extend({
    /** Encrypts instance admin passwords at rest; comma-separated, newest first (rotation). */
    TENANTS_SECRET_KEYS: z.string().min(16).default(DEV_SECRET),
    /** Where a tenant's app is reached; `{slug}` is replaced. */
    TENANT_URL_TEMPLATE: z.string().includes('{slug}').default('http://{slug}.localhost:3000'),
    /** Extra subdomains nobody may take, comma-separated (the built-in list always applies). */
    RESERVED_SUBDOMAINS: z.string().default(''),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.NODE_ENV === 'production' && cfg.TENANTS_SECRET_KEYS === DEV_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['TENANTS_SECRET_KEYS'], message: 'must be set in production' });
    }
  });
export type TenantsConfig = z.infer<typeof tenantsConfigSchema>;

export const DEFAULT_PLAN: TenantPlan = 'standard';
