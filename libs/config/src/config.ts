import { z } from 'zod';

/** A bad or missing variable stops start-up with this error, naming every problem at once. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly issues: string[],
  ) {
    super(`Invalid configuration for ${service}:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
// `.default(true)` on the transformed schema: an unset variable skips parsing and yields the boolean.

const subjectPrefix = z
  .string()
  .regex(/^([A-Za-z0-9_-]+\.)?$/, 'must be empty or a single token followed by a dot, e.g. "test_ab12."')
  .default('');

/**
 * Variables every process of the platform reads. Each service extends this with its own schema
 * (`baseConfigSchema.extend({...})`) and loads it once at boot with `loadConfig`.
 */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/saas_platform'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  /**
   * This process's NATS user and password when the server enforces per-principal permissions
   * (deploy/nats: each service and the gateway is its own user). Both empty: no authentication.
   */
  NATS_USER: z.string().default(''),
  NATS_PASSWORD: z.string().default(''),
  /** Prefix of every NATS subject, stream and durable name; lets test runs share one NATS. */
  SUBJECT_PREFIX: subjectPrefix,
  RPC_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(5_000),
  EVENT_MAX_DELIVER: z.coerce.number().int().min(1).max(100).default(5),
  EVENT_BACKOFF_MS: z.coerce.number().int().min(1).max(600_000).default(1_000),
  /**
   * A handler failing transiently (timeout, no responders, NATS or Postgres gone) is retried without
   * using up EVENT_MAX_DELIVER until its message is this old; then it is parked.
   */
  EVENT_RETRY_DEADLINE_MS: z.coerce.number().int().min(1_000).max(7 * 86_400_000).default(3_600_000),
  /**
   * A transient failure is first retried in place for this long (the tenant's lane waits, so its
   * events keep their order through a blip); then its message goes back to the stream with backoff.
   */
  EVENT_IN_PLACE_RETRY_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  /** How long JetStream waits for an ack before redelivering (a crashed consumer's message). */
  EVENT_ACK_WAIT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Events handled at once per replica; one tenant's events always in order, one at a time. */
  EVENT_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /**
   * Events handled in one transaction at most (1: one transaction per event). Above 1, the
   * consumer handles what has arrived in batches, in EVENT_CONCURRENCY partitions by tenant.
   */
  EVENT_BATCH_SIZE: z.coerce.number().int().min(1).max(256).default(1),
  /** Turn the outbox relay off in a replica (events stay in the outbox until a relay runs). */
  OUTBOX_RELAY_ENABLED: bool.default(true),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAMESPACE: z.string().default('saas-control-plane'),
  /** Share of new traces recorded and exported (0..1) when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  /** Port of the service's Prometheus `/metrics` listener; 0 picks a free one, unset disables it. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  RUN_MIGRATIONS: bool.default(true),
  /** A stop (SIGTERM, parent gone) that takes longer than this exits anyway, with code 1. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
});
export type BaseConfig = z.infer<typeof baseConfigSchema>;

/**
 * Variables of a process that sends mail (identity's account mails, the webhooks service's
 * endpoint-disabled notices): `...mailConfigShape` in its schema, then `createMailer` (service-kit).
 */
export const mailConfigShape = {
  /** smtp(s)://user:pass@host:port; unset → mails are written to MAIL_LOG_DIR (development). */
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().min(3).default('SaaS Control Plane <no-reply@localhost>'),
  MAIL_LOG_DIR: z.string().min(1).default('.platform/mail'),
};
export type MailConfig = { SMTP_URL?: string; MAIL_FROM: string; MAIL_LOG_DIR: string };

export function loadConfig<S extends z.ZodTypeAny>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      service,
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return Object.freeze(result.data) as z.infer<S>;
}

export { z, bool as booleanVariable };
