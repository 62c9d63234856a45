import { baseConfigSchema, booleanVariable, z } from '@saas/config';

/** An empty variable counts as unset (compose files and Helm values often render `FOO=`). */
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const gatewayConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Comma-separated allowed origins; empty turns CORS off. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1).max(100 * 1024 * 1024).default(1_048_576),
  /** Honour X-Forwarded-* (only behind a proxy you control). */
  TRUST_PROXY: booleanVariable.default(false),
  /** Base of absolute links (list next/previous); otherwise taken from the request's host. */
  PUBLIC_URL: optional(z.string().url()),
  HEALTH_RPC_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(1_500),
  /** Guards /api/v1/admin/* until JWT roles land; unset means those routes always answer 401. */
  ADMIN_API_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
