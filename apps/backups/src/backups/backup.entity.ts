import { randomUUID } from 'node:crypto';
import { Check, Column, Entity, Index, type Repository } from 'typeorm';
import type { BackupPart, BackupPartView, BackupStatus, BackupType } from '@saas/contracts';
import { LeasedRun } from './leased-run.entity.js';

/** One backup of one tenant: its parts live in storage under `storage_prefix`; this row says whether they may be used. */
@Entity({ name: 'backups' })
@Check('backups_type_check', `type IN ('manual', 'scheduled', 'pre_restore', 'pre_deletion')`)
@Check('backups_status_check', `status IN ('pending', 'running', 'completed', 'failed')`)
@Index('backups_tenant_idx', ['tenantId', 'createdAt'])
@Index('backups_claim_idx', ['status', 'createdAt'])
export class Backup extends LeasedRun<BackupStatus> {
  @Column('text')
  type!: BackupType;

  @Column('integer', { default: 0 })
  progress!: number;

  /** `filesystem` or `s3`: where the parts were written. */
  @Column('text')
  storage!: string;

  @Column('text', { name: 'storage_prefix' })
  storagePrefix!: string;

  @Column('bigint', { name: 'size_bytes', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  sizeBytes!: number | null;

  @Column('integer', { name: 'duration_ms', nullable: true })
  durationMs!: number | null;

  /** sha256 of the stored manifest. */
  @Column('text', { nullable: true })
  checksum!: string | null;

  @Column('jsonb', { default: [] })
  parts!: BackupPartView[];

  @Column('text', { name: 'error_part', nullable: true })
  errorPart!: BackupPart | 'storage' | null;

  @Column('text', { nullable: true })
  reason!: string | null;

  /** The restore this safety copy was taken for (type `pre_restore`). */
  @Column('uuid', { name: 'restore_id', nullable: true })
  restoreId!: string | null;

  /** `pre_deletion`: the tenant deletion (operation) waiting for this final backup. */
  @Column('uuid', { name: 'operation_id', nullable: true })
  operationId!: string | null;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  /** When a restore drill last took this backup (passed or not): drills repeat every BACKUP_DRILL_EVERY_HOURS. */
  @Column('timestamptz', { name: 'drilled_at', nullable: true })
  drilledAt!: Date | null;

  @Column('timestamptz', { name: 'verified_at', nullable: true })
  verifiedAt!: Date | null;

  @Column('double precision', { name: 'restore_seconds', nullable: true })
  restoreSeconds!: number | null;

  @Column('text', { name: 'verification_error', nullable: true })
  verificationError!: string | null;
}

export interface BackupOptions {
  reason?: string | null;
  requestedBy?: string | null;
  restoreId?: string | null;
  operationId?: string | null;
}

/** A new `pending` backup of `tenantId`, stored under a prefix of its own on `storage`. */
export function pendingBackup(repo: Repository<Backup>, storage: string, tenantId: string, type: BackupType, opts: BackupOptions = {}): Backup {
  const id = randomUUID();
  return repo.create({
    id,
    tenantId,
    type,
    status: 'pending',
    progress: 0,
    step: null,
    storage,
    storagePrefix: `${tenantId}/${id}/`,
    sizeBytes: null,
    durationMs: null,
    checksum: null,
    parts: [],
    errorPart: null,
    errorStep: null,
    errorReason: null,
    reason: opts.reason ?? null,
    requestedBy: opts.requestedBy ?? null,
    restoreId: opts.restoreId ?? null,
    operationId: opts.operationId ?? null,
    leaseOwner: null,
    leaseUntil: null,
    startedAt: null,
    completedAt: null,
    expiresAt: null,
  });
}
