import { baseConfigSchema, z } from '@saas/config';
import type { TenantPlan } from '@saas/contracts';

export const DEV_SECRET = 'dev-only-tenants-secret-key-change-me';

export const tenantsConfigSchema = baseConfigSchema
  .extend({
    /** Encrypts instance admin passwords at rest; comma-separated, newest first (rotation). */
    TENANTS_SECRET_KEYS: z.string().min(16).default(DEV_SECRET),
    /** Tenants an owner may have, by the owner's plan tier (`tier:count,…`); admins are unlimited. */
    TENANT_LIMITS: z
      .string()
      .regex(/^([a-z]+:\d+)(,[a-z]+:\d+)*$/, 'TENANT_LIMITS must look like standard:3,premium:10')
      .default('standard:3,premium:10,enterprise:50'),
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

export function parseTenantLimits(spec: string): Record<string, number> {
  return Object.fromEntries(spec.split(',').map((pair) => {
    const [tier, n] = pair.split(':');
    return [tier!, Number(n)];
  }));
}

export const DEFAULT_PLAN: TenantPlan = 'standard';
