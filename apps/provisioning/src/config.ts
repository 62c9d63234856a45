import { baseConfigSchema, z } from '@saas/config';
import { provisioningRuntimeConfig } from './runtime/runtime.config.js';

export const DEV_SECRET = 'dev-only-provisioning-secret-key-change-me';

export const provisioningConfigSchema = baseConfigSchema
  .extend(provisioningRuntimeConfig.shape)
  .extend({
    /** Encrypts tenant database passwords at rest; comma-separated, newest first. */
    PROVISIONING_SECRET_KEYS: z.string().min(16).default(DEV_SECRET),
    /** A job's lease; a worker that dies loses it after this long and another (or the restarted one) resumes. */
    PROVISIONING_JOB_LEASE_MS: z.coerce.number().int().min(500).max(600_000).default(15_000),
    /** Jobs run at once per replica (always one at a time per tenant). */
    PROVISIONING_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    /** A job that was started this many times without finishing (crashes) fails for good. */
    PROVISIONING_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
    /**
     * A transient failure (RPC timeout, no responders, NATS or Postgres gone, serialization failure)
     * puts the job back in the queue after a backoff starting here (doubling, max 10 s) instead of
     * failing it…
     */
    PROVISIONING_RETRY_BACKOFF_MS: z.coerce.number().int().min(10).max(60_000).default(500),
    /** …until its transient failures have lasted this long; then it fails (retryable) like any other. */
    PROVISIONING_RETRY_DEADLINE_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(600_000),
    PROVISIONING_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
    /**
     * Test seam (NODE_ENV=test only): `<step>` makes the process SIGKILL itself when a job reaches
     * that step, to prove every step survives a crash. Ignored elsewhere.
     */
    PROVISIONING_CRASH_AT: z.string().optional(),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.NODE_ENV === 'production' && cfg.PROVISIONING_SECRET_KEYS === DEV_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['PROVISIONING_SECRET_KEYS'], message: 'must be set in production' });
    }
  });
export type ProvisioningConfig = z.infer<typeof provisioningConfigSchema>;
