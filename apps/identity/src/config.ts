import { baseConfigSchema, mailConfigShape, z } from '@saas/config';

/**
 * Used only when KEY_ENCRYPTION_SECRET is unset outside production (a warning is logged at boot).
 * Production refuses to start without a real secret.
 */
export const DEV_KEY_ENCRYPTION_SECRET = 'dev-only-insecure-key-encryption-secret-change-me';

const seconds = (def: number, min = 1) => z.coerce.number().int().min(min).default(def);

export const identityConfigSchema = baseConfigSchema
  .extend({
    /** With ADMIN_PASSWORD: the first platform admin, created at boot when no admin exists yet. */
    ADMIN_EMAIL: z.string().email().optional(),
    ADMIN_PASSWORD: z.string().min(12, 'ADMIN_PASSWORD must be at least 12 characters').optional(),

    // Tokens
    ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(30).max(86_400).default(900),
    REFRESH_TOKEN_TTL_S: seconds(30 * 86_400, 60),
    JWT_ISSUER: z.string().min(1).default('saas-control-plane'),
    JWT_AUDIENCE: z.string().min(1).default('saas-control-plane-api'),
    /** Derives the AES-256-GCM key that encrypts signing keys at rest. Required in production. */
    KEY_ENCRYPTION_SECRET: z.string().min(32, 'KEY_ENCRYPTION_SECRET must be at least 32 characters').optional(),
    KEY_ROTATION_DAYS: z.coerce.number().positive().default(30),
    /** How often each replica checks whether the active signing key is due for rotation. */
    KEY_ROTATION_CHECK_S: seconds(3_600, 1),
    /** Ended sessions, expired tokens and idle login throttles are deleted this long after (housekeeping.service.ts). */
    IDENTITY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
    IDENTITY_HOUSEKEEPING_INTERVAL_S: seconds(3_600, 1),

    // Email
    ...mailConfigShape,
    /** Base of the links in mails (the web app / gateway). */
    PUBLIC_APP_URL: z.string().url().default('http://localhost:3000'),
    EMAIL_VERIFICATION_TTL_S: seconds(86_400, 60),
    PASSWORD_RESET_TTL_S: seconds(3_600, 60),

    // Login throttling (the design is on LoginThrottleService)
    LOGIN_LOCK_THRESHOLD: z.coerce.number().int().min(1).default(5),
    LOGIN_LOCK_BASE_S: seconds(30),
    LOGIN_LOCK_MAX_S: seconds(900),
    LOGIN_GLOBAL_THRESHOLD: z.coerce.number().int().min(1).default(50),
    LOGIN_GLOBAL_LOCK_S: seconds(900),
    /** Failures older than this are forgotten. */
    LOGIN_FAILURE_WINDOW_S: seconds(3_600),
    /** A client that signed in successfully within this period is not held by the global ceiling. */
    LOGIN_TRUSTED_CLIENT_S: seconds(30 * 86_400),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && !c.KEY_ENCRYPTION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['KEY_ENCRYPTION_SECRET'], message: 'KEY_ENCRYPTION_SECRET is required when NODE_ENV=production' });
    }
  });

export type IdentityConfig = z.infer<typeof identityConfigSchema>;
