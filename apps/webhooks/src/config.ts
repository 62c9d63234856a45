import { baseConfigSchema, booleanVariable as bool, mailConfigShape, z } from '@saas/config';

const DEV_SECRET = 'dev-only-webhooks-secret-key-change-me';

export const webhooksConfigSchema = baseConfigSchema
  .extend({
    /** Encrypts endpoint signing secrets at rest; comma-separated, newest first (rotation). */
    WEBHOOKS_SECRET_KEYS: z.string().min(16).default(DEV_SECRET),
    /** After a secret rotation the old secret keeps signing (a second `v1,` signature) this long. */
    WEBHOOK_SECRET_GRACE_S: z.coerce.number().int().min(0).max(30 * 86_400).default(86_400),
    /** Delay before each retry, seconds; its length is the number of retries (Svix-like, about 27 h in all). */
    WEBHOOK_RETRY_SCHEDULE_S: z
      .string()
      .regex(/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/, 'WEBHOOK_RETRY_SCHEDULE_S must look like 5,300,1800')
      .default('5,300,1800,7200,18000,36000,36000'),
    /** An endpoint failing continuously this long is disabled. */
    WEBHOOK_DISABLE_AFTER_S: z.coerce.number().min(1).default(5 * 86_400),
    /** …or after this many failed attempts in a row (0: only the time above counts). */
    WEBHOOK_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(0).default(0),
    /**
     * The event consumer takes up to this many events per transaction (inbox rows and fan-out in one
     * statement each): the fan-out of a burst costs a few round trips per batch, not per event.
     */
    EVENT_BATCH_SIZE: z.coerce.number().int().min(1).max(256).default(64),
    /** Allow endpoints on loopback/private/link-local networks (development and tests only). */
    WEBHOOKS_ALLOW_PRIVATE_NETWORKS: bool.default(false),
    /** Whole request deadline, and the TCP/TLS connect deadline within it. */
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
    WEBHOOK_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
    /** Requests in flight at once per replica (each endpoint has at most one: its order is kept). */
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(64),
    /**
     * Worker threads that sign and send the requests (axios, sockets), off the thread that consumes
     * events, claims and records deliveries (ADR 0019); 0 sends on that thread.
     */
    WEBHOOK_SENDER_THREADS: z.coerce.number().int().min(0).max(16).default(1),
    /** How often workers look for due deliveries (a new event also wakes them at once). */
    WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
    /** Finished deliveries (and published inbound events) are deleted this long after they finished. */
    WEBHOOK_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(30),
    /** How often each active integration provider's `api_base_url` is checked, its deadline, and when it counts as slow. */
    INTEGRATIONS_HEALTH_INTERVAL_S: z.coerce.number().min(0.1).max(86_400).default(60),
    INTEGRATIONS_HEALTH_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
    INTEGRATIONS_DEGRADED_MS: z.coerce.number().int().min(1).max(60_000).default(1_000),
    /** A disabled endpoint is mailed about (to the tenant's owner) through SMTP_URL, or into MAIL_LOG_DIR. */
    ...mailConfigShape,
    /** Base of the links in those mails (the gateway / web app). */
    PUBLIC_APP_URL: z.string().url().default('http://localhost:3000'),
    /**
     * Who is mailed when a platform endpoint (no tenant) is disabled: comma-separated addresses;
     * unset or empty, nobody (the event and saas_webhook_endpoints_disabled_total still tell).
     */
    WEBHOOKS_PLATFORM_ALERT_EMAILS: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .refine((list) => list.every((a) => z.string().email().safeParse(a).success), 'WEBHOOKS_PLATFORM_ALERT_EMAILS must be comma-separated email addresses'),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.NODE_ENV === 'production' && cfg.WEBHOOKS_SECRET_KEYS === DEV_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOKS_SECRET_KEYS'], message: 'must be set in production' });
    }
    if (cfg.NODE_ENV === 'production' && cfg.WEBHOOKS_ALLOW_PRIVATE_NETWORKS) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOKS_ALLOW_PRIVATE_NETWORKS'], message: 'must not be true in production' });
    }
  });
export type WebhooksConfig = z.infer<typeof webhooksConfigSchema>;

export function parseRetrySchedule(spec: string): number[] {
  return spec.split(',').map((s) => Number(s));
}
