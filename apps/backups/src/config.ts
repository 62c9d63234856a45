import { baseConfigSchema, z } from '@saas/config';
import { parseKeyRing } from './storage/encrypted-storage.js';

const optionalDays = z.coerce.number().int().min(1).max(3650).optional();

export const backupsConfigSchema = baseConfigSchema.extend({
  /** `filesystem` (BACKUP_DIR) or `s3` (BACKUP_S3_*). */
  BACKUP_STORAGE: z.enum(['filesystem', 's3']).default('filesystem'),
  /** Filesystem storage: the directory (default `.platform/backups` under the repository). */
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_S3_BUCKET: z.string().min(3).optional(),
  BACKUP_S3_PREFIX: z.string().default(''),
  BACKUP_S3_REGION: z.string().min(1).default('us-east-1'),
  /** Any S3-compatible server; unset for AWS. */
  BACKUP_S3_ENDPOINT: z.string().url().optional(),
  BACKUP_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Unset: the AWS SDK's default credential chain. */
  BACKUP_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  BACKUP_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Encryption at rest (AES-256-GCM): `id:base64-32-byte-key`, comma-separated, newest first (it encrypts; all decrypt). Unset: archives are stored as is. */
  BACKUP_ENCRYPTION_KEYS: z.string().min(1).optional(),
  /** Server where tenant databases live (as provisioning's); default DATABASE_URL's server. Needs rights to dump, create and rename them. */
  TENANT_DATABASE_ADMIN_URL: z.string().url().optional(),
  /** A running backup or restore renews its lease this often ×3; one whose lease lapsed (its process died) is failed. */
  BACKUP_LEASE_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  BACKUP_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /** Backups run at once per replica. */
  BACKUP_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** Days a manual backup is kept (unset: until deleted). */
  BACKUP_MANUAL_RETENTION_DAYS: optionalDays,
  /** Days the safety copy taken before a restore is kept. */
  BACKUP_PRE_RESTORE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  /** Days a tenant's final backup (before deletion) is kept. */
  BACKUP_FINAL_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** A final backup interrupted (its process died) or hit by a transient failure is taken again, up to this many in all, before the deletion fails. */
  BACKUP_FINAL_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /** How often every replica ticks the scheduler (due scheduled backups, retention); one replica works per tick. */
  BACKUP_SCHEDULER_TICK_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Restore drills: each tenant's latest completed backup is restored into a scratch database and checked this often (hours; 0: off). */
  BACKUP_DRILL_EVERY_HOURS: z.coerce.number().min(0).max(8760).default(0),
  /** How long a runtime may take to archive a tenant's volume (Kubernetes: the archive Job). */
  BACKUP_VOLUME_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(6 * 3_600_000).default(1_800_000),
  /**
   * `pg_restore --jobs` of a restore into a fresh database (a dedicated tenant's staged copy, a
   * clone's, a drill's scratch one) from filesystem storage: tables load and indexes build on this
   * many connections at once. 1: one job in one transaction. A shared tenant's schema, restored into
   * the database it shares, and dumps streamed from s3 or decrypted always restore in one transaction.
   */
  BACKUP_RESTORE_JOBS: z.coerce.number().int().min(1).max(16).default(2),
  /** How long the restored instance may take to report healthy. */
  RESTORE_HEALTH_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
}).superRefine((cfg, ctx) => {
  if (cfg.BACKUP_ENCRYPTION_KEYS) {
    try {
      parseKeyRing(cfg.BACKUP_ENCRYPTION_KEYS);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['BACKUP_ENCRYPTION_KEYS'], message: (err as Error).message });
    }
  }
  if (cfg.BACKUP_STORAGE === 's3' && !cfg.BACKUP_S3_BUCKET) ctx.addIssue({ code: 'custom', path: ['BACKUP_S3_BUCKET'], message: 'is required when BACKUP_STORAGE=s3' });
  if (!!cfg.BACKUP_S3_ACCESS_KEY_ID !== !!cfg.BACKUP_S3_SECRET_ACCESS_KEY) {
    ctx.addIssue({ code: 'custom', path: ['BACKUP_S3_SECRET_ACCESS_KEY'], message: 'set both BACKUP_S3_ACCESS_KEY_ID and BACKUP_S3_SECRET_ACCESS_KEY, or neither' });
  }
});
export type BackupsConfig = z.infer<typeof backupsConfigSchema>;
