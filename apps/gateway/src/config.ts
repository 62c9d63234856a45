import { baseConfigSchema, booleanVariable, z } from '@saas/config';
import { TenantPlans, type TenantPlan } from '@saas/contracts';

export const RATE_LIMIT_TIERS = ['anonymous', 'standard', 'premium', 'enterprise', 'admin', 'infra'] as const;
export type RateLimitTier = (typeof RATE_LIMIT_TIERS)[number];

/** API.md: requests per hour. `infra` covers health, metrics and docs (per IP, apart from the tiers). */
export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimitTier, number>> = Object.freeze({
  anonymous: 100,
  standard: 1_000,
  premium: 5_000,
  enterprise: 10_000,
  admin: 50_000,
  infra: 100_000,
});

/** Requests per window of all of a tenant's users together on its tenant-scoped routes, by plan. */
export const DEFAULT_TENANT_RATE_LIMITS: Readonly<Record<TenantPlan, number>> = Object.freeze({
  free: 2_000,
  standard: 10_000,
  premium: 50_000,
  enterprise: 100_000,
});

const pointsPerSeconds = (def: string) =>
  z
    .string()
    .default(def)
    .transform((v, ctx) => {
      const m = /^(\d+)\/(\d+)$/.exec(v.trim());
      if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not <points>/<seconds>` });
        return { points: 1, durationS: 1 };
      }
      return { points: Number(m[1]), durationS: Number(m[2]) };
    });

/** An empty variable counts as unset (compose files and Helm values often render `FOO=`). */
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const gatewayConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** In-flight requests get this long to finish on SIGTERM (the services' default is 30 s). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
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
  /** Hosts whose first label is a tenant: `http://<slug>.<suffix>` is proxied to its app (comma-separated). */
  TENANT_HOST_SUFFIXES: z.string().regex(/^[a-z0-9.-]+(,[a-z0-9.-]+)*$/, 'must be comma-separated host names').default('localhost'),
  HEALTH_RPC_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(1_500),

  // Authentication (docs/decisions/0005-jwt-verification.md)
  /** Must match identity's JWT_ISSUER / JWT_AUDIENCE. */
  JWT_ISSUER: z.string().min(1).default('saas-control-plane'),
  JWT_AUDIENCE: z.string().min(1).default('saas-control-plane-api'),
  /** Allowed clock skew when checking exp/nbf/iat; never more than a minute. */
  JWT_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(60).default(30),
  /** The JWKS is re-read this often in the background (and at once on an unknown `kid`, at most every JWKS_MIN_REFETCH_S). */
  JWKS_REFRESH_S: z.coerce.number().int().min(1).default(300),
  JWKS_MIN_REFETCH_S: z.coerce.number().int().min(0).default(10),
  /** How long a verified API key (and, separately, a refused one) is remembered. */
  API_KEY_CACHE_S: z.coerce.number().int().min(0).max(300).default(30),
  API_KEY_NEGATIVE_CACHE_S: z.coerce.number().int().min(0).max(300).default(5),
  /**
   * How long an ended session, deleted user or revoked key is remembered (auth/revocations.ts).
   * At least identity's ACCESS_TOKEN_TTL_S (900) plus JWT_CLOCK_TOLERANCE_S.
   */
  REVOCATION_RETENTION_S: z.coerce.number().int().min(60).max(86_400 * 2).default(3_600),
  /**
   * How often the revocation readers are checked against the server. A reader not seen caught up
   * for 3 checks makes the list untrusted: /ready turns red and credentials are re-checked with identity.
   */
  REVOCATION_CHECK_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),

  // Rate limits (docs/decisions/0006-rate-limits.md)
  /** `tier:limit` pairs per RATE_LIMIT_WINDOW_S; tiers: anonymous, standard, premium, enterprise, admin, infra. */
  RATE_LIMITS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const limits: Partial<Record<string, number>> = {};
      for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
        const m = /^([a-z]+):(\d+)$/.exec(part);
        if (!m || !(RATE_LIMIT_TIERS as readonly string[]).includes(m[1]!) || Number(m[2]) < 1) {
          ctx.addIssue({ code: 'custom', message: `"${part}" is not <tier>:<limit> with a tier of ${RATE_LIMIT_TIERS.join(', ')}` });
          continue;
        }
        limits[m[1]!] = Number(m[2]);
      }
      return { ...DEFAULT_RATE_LIMITS, ...limits } as Record<RateLimitTier, number>;
    }),
  /**
   * Per-tenant quota of tenant-scoped routes (`/api/v1/tenants/{id}/…`), requests per window by the
   * tenant's plan: all of a tenant's users together, on top of each user's own tier.
   */
  TENANT_RATE_LIMITS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const limits: Record<string, number> = {};
      for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
        const m = /^([a-z]+):(\d+)$/.exec(part);
        if (!m || !(TenantPlans as readonly string[]).includes(m[1]!) || Number(m[2]) < 1) {
          ctx.addIssue({ code: 'custom', message: `"${part}" is not <plan>:<limit> with a plan of ${TenantPlans.join(', ')}` });
          continue;
        }
        limits[m[1]!] = Number(m[2]);
      }
      return { ...DEFAULT_TENANT_RATE_LIMITS, ...limits } as Record<TenantPlan, number>;
    }),
  RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).default(3_600),
  /** Burst allowance: at most RATE_LIMIT_BURST_RATIO of the window's limit within RATE_LIMIT_BURST_WINDOW_S. */
  RATE_LIMIT_BURST_WINDOW_S: z.coerce.number().int().min(1).default(60),
  RATE_LIMIT_BURST_RATIO: z.coerce.number().gt(0).max(1).default(0.2),
  /** Per-account limits of login and password reset, `<points>/<seconds>`. */
  LOGIN_RATE_LIMIT: pointsPerSeconds('10/900'),
  LOGIN_ACCOUNT_RATE_LIMIT: pointsPerSeconds('100/900'),
  PASSWORD_RESET_RATE_LIMIT: pointsPerSeconds('10/900'),
  /** Counters in Redis (shared by every replica) instead of in memory. */
  REDIS_URL: optional(z.string().url()),

  /** How long an Idempotency-Key's recorded response is replayed. */
  IDEMPOTENCY_TTL_S: z.coerce.number().int().min(60).default(86_400),
  /**
   * Lease of an Idempotency-Key "in progress": the replica running the request renews it every third
   * of this while it runs; one not renewed for this long (its replica died) may be taken over.
   */
  IDEMPOTENCY_LOCK_S: z.coerce.number().int().min(1).default(10),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
