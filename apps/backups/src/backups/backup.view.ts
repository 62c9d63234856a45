import type { BackupView, DrillView, RestoreView } from '@saas/contracts';
import type { RestoreDrill } from '../restores/restore-drill.entity.js';
import type { Restore } from '../restores/restore.entity.js';
import type { Backup } from './backup.entity.js';

export function toBackupView(b: Backup): BackupView {
  return {
    id: b.id,
    tenant_id: b.tenantId,
    type: b.type,
    status: b.status,
    progress: b.progress,
    step: b.step,
    storage: b.storage,
    size_bytes: b.sizeBytes,
    duration_ms: b.durationMs,
    checksum: b.checksum,
    parts: b.parts,
    error: b.status === 'failed' ? { part: b.errorPart, step: b.errorStep, reason: b.errorReason ?? 'unknown' } : null,
    reason: b.reason,
    requested_by: b.requestedBy,
    created_at: b.createdAt.toISOString(),
    started_at: b.startedAt?.toISOString() ?? null,
    completed_at: b.completedAt?.toISOString() ?? null,
    expires_at: b.expiresAt?.toISOString() ?? null,
    verified_at: b.verifiedAt?.toISOString() ?? null,
    restore_seconds: b.restoreSeconds,
    verification_error: b.verificationError,
  };
}

export function toRestoreView(r: Restore): RestoreView {
  return {
    id: r.id,
    tenant_id: r.tenantId,
    backup_id: r.backupId,
    target: r.sourceTenantId ? 'new_tenant' : 'in_place',
    source_tenant_id: r.sourceTenantId,
    status: r.status,
    progress: r.progress,
    step: r.step,
    safety_backup_id: r.safetyBackupId,
    rolled_back: r.rolledBack,
    error: r.status === 'failed' ? { part: 'restore', step: r.errorStep, reason: r.errorReason ?? 'unknown', ...(r.errorCode ? { code: r.errorCode } : {}) } : null,
    requested_by: r.requestedBy,
    created_at: r.createdAt.toISOString(),
    started_at: r.startedAt?.toISOString() ?? null,
    completed_at: r.completedAt?.toISOString() ?? null,
  };
}

export function backupStatusUrl(b: Pick<Backup, 'tenantId' | 'id'>): string {
  return `/api/v1/tenants/${b.tenantId}/backups/${b.id}`;
}

export function restoreStatusUrl(r: Pick<Restore, 'tenantId' | 'id'>): string {
  return `/api/v1/tenants/${r.tenantId}/restores/${r.id}`;
}

export function toDrillView(d: RestoreDrill): DrillView {
  return {
    id: d.id,
    backup_id: d.backupId,
    tenant_id: d.tenantId,
    trigger: d.trigger,
    status: d.status,
    step: d.step,
    restore_seconds: d.restoreSeconds,
    tables: d.tables,
    error: d.status === 'failed' ? { code: d.errorCode ?? 'BACKUP_FAILED', step: d.errorStep, reason: d.errorReason ?? 'unknown' } : null,
    requested_by: d.requestedBy,
    created_at: d.createdAt.toISOString(),
    started_at: d.startedAt?.toISOString() ?? null,
    completed_at: d.completedAt?.toISOString() ?? null,
  };
}

export function drillStatusUrl(d: Pick<RestoreDrill, 'backupId' | 'id'>): string {
  return `/api/v1/admin/backups/${d.backupId}/drills/${d.id}`;
}
