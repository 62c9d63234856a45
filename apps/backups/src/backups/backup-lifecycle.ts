import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, type BackupEventData, type BackupFailure, type BackupPartView } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { Clock, SERVICE_CONFIG } from '@saas/service-kit';
import type { BackupsConfig } from '../config.js';
import { BackupSchedule } from '../schedules/backup-schedule.entity.js';
import { planRetentionDays } from '../schedules/plan-retention.js';
import { Backup } from './backup.entity.js';
import { assertTransition } from './backup-state-machine.js';

const DAY_MS = 86_400_000;

/**
 * The one way a backup changes state: checks the transition, writes the row and emits its event in
 * the caller's transaction (so the event exists if and only if the change was committed).
 */
@Injectable()
export class BackupLifecycle {
  constructor(
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: BackupsConfig,
  ) {}

  /** Days an archive of this backup is kept once completed; null: until deleted (or, scheduled, until keep-last drops it). */
  async retentionDays(tx: EntityManager, backup: Pick<Backup, 'type' | 'tenantId'>): Promise<number | null> {
    switch (backup.type) {
      case 'manual':
        return this.config.BACKUP_MANUAL_RETENTION_DAYS ?? null;
      case 'scheduled': {
        // The tenant's choice, within its subscription plan's retention.
        const chosen = (await tx.getRepository(BackupSchedule).findOneBy({ tenantId: backup.tenantId }))?.keepDays ?? null;
        const plan = await planRetentionDays(tx, backup.tenantId);
        return chosen === null ? plan : plan === null ? chosen : Math.min(chosen, plan);
      }
      case 'pre_restore':
        return this.config.BACKUP_PRE_RESTORE_RETENTION_DAYS;
      case 'pre_deletion':
        return this.config.BACKUP_FINAL_RETENTION_DAYS;
    }
  }

  async start(tx: EntityManager, backup: Backup, lease: { owner: string; until: Date }): Promise<void> {
    assertTransition(backup.status, 'running');
    Object.assign(backup, { status: 'running', startedAt: this.clock.now(), leaseOwner: lease.owner, leaseUntil: lease.until, step: 'starting', progress: 1 });
    await tx.getRepository(Backup).save(backup);
    await this.emit(tx, EventTypes.BackupStarted, backup);
  }

  async complete(tx: EntityManager, backup: Backup, result: { parts: BackupPartView[]; checksum: string }): Promise<void> {
    assertTransition(backup.status, 'completed');
    const now = this.clock.now();
    const days = await this.retentionDays(tx, backup);
    Object.assign(backup, {
      status: 'completed',
      progress: 100,
      step: null,
      parts: result.parts,
      checksum: result.checksum,
      sizeBytes: result.parts.reduce((n, p) => n + p.size_bytes, 0),
      completedAt: now,
      durationMs: now.getTime() - (backup.startedAt ?? now).getTime(),
      expiresAt: days === null ? null : new Date(now.getTime() + days * DAY_MS),
      leaseOwner: null,
      leaseUntil: null,
    });
    await tx.getRepository(Backup).save(backup);
    await this.emit(tx, EventTypes.BackupCompleted, backup, { retention_days: days });
  }

  /** `willRetry`: another backup of the same deletion is queued (backup.failed says so; the deletion waits). */
  async fail(tx: EntityManager, backup: Backup, failure: BackupFailure, willRetry = false): Promise<void> {
    assertTransition(backup.status, 'failed');
    const now = this.clock.now();
    Object.assign(backup, {
      status: 'failed',
      errorPart: failure.part === 'restore' ? null : failure.part,
      errorStep: failure.step,
      errorReason: failure.reason.slice(0, 2000),
      completedAt: now,
      durationMs: backup.startedAt ? now.getTime() - backup.startedAt.getTime() : null,
      leaseOwner: null,
      leaseUntil: null,
    });
    await tx.getRepository(Backup).save(backup);
    await this.emit(tx, EventTypes.BackupFailed, backup, { part: backup.errorPart, step: backup.errorStep, reason: backup.errorReason, ...(willRetry ? { will_retry: true } : {}) });
  }

  private async emit(tx: EntityManager, type: string, b: Backup, extra: Partial<BackupEventData> = {}): Promise<void> {
    const data: BackupEventData = {
      backup_id: b.id,
      tenant_id: b.tenantId,
      type: b.type,
      status: b.status,
      storage: b.storage,
      size_bytes: b.sizeBytes,
      duration_ms: b.durationMs,
      checksum: b.checksum,
      expires_at: b.expiresAt?.toISOString() ?? null,
      ...(b.operationId ? { operation_id: b.operationId } : {}),
      ...extra,
    };
    await this.outbox.add(tx, { type, data, tenantId: b.tenantId });
  }
}
