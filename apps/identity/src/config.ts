import { baseConfigSchema, z } from '@saas/config';

export const identityConfigSchema = baseConfigSchema.extend({
  /** With ADMIN_PASSWORD: the first platform admin, created at boot when no admin exists yet. */
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'ADMIN_PASSWORD must be at least 12 characters').optional(),
});
