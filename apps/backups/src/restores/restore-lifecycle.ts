import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, type RestoreEventData } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { Clock } from '@saas/service-kit';
import { assertTransition } from '../backups/backup-state-machine.js';
import { Restore } from './restore.entity.js';

/** The one way a restore changes state (same table as backups), with its event in the caller's transaction. */
@Injectable()
export class RestoreLifecycle {
  constructor(
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async start(tx: EntityManager, restore: Restore, lease: { owner: string; until: Date }): Promise<void> {
    assertTransition(restore.status, 'running');
    Object.assign(restore, { status: 'running', startedAt: this.clock.now(), leaseOwner: lease.owner, leaseUntil: lease.until, step: 'starting', progress: 1 });
    await tx.getRepository(Restore).save(restore);
    await this.emit(tx, EventTypes.RestoreStarted, restore);
  }

  async complete(tx: EntityManager, restore: Restore): Promise<void> {
    assertTransition(restore.status, 'completed');
    Object.assign(restore, { status: 'completed', progress: 100, step: null, completedAt: this.clock.now(), leaseOwner: null, leaseUntil: null });
    await tx.getRepository(Restore).save(restore);
    await this.emit(tx, EventTypes.RestoreCompleted, restore, { duration_ms: this.duration(restore) });
  }

  async fail(tx: EntityManager, restore: Restore, failure: { code: string; step: string | null; reason: string; rolledBack: boolean }): Promise<void> {
    assertTransition(restore.status, 'failed');
    Object.assign(restore, {
      status: 'failed',
      errorCode: failure.code,
      errorStep: failure.step,
      errorReason: failure.reason.slice(0, 2000),
      rolledBack: failure.rolledBack,
      completedAt: this.clock.now(),
      leaseOwner: null,
      leaseUntil: null,
    });
    await tx.getRepository(Restore).save(restore);
    await this.emit(tx, EventTypes.RestoreFailed, restore, { step: failure.step, reason: restore.errorReason, rolled_back: failure.rolledBack, error_code: failure.code });
  }

  private duration(r: Restore): number | null {
    return r.startedAt && r.completedAt ? r.completedAt.getTime() - r.startedAt.getTime() : null;
  }

  private async emit(tx: EntityManager, type: string, r: Restore, extra: Partial<RestoreEventData> = {}): Promise<void> {
    const data: RestoreEventData = {
      restore_id: r.id,
      backup_id: r.backupId,
      tenant_id: r.tenantId,
      status: r.status,
      safety_backup_id: r.safetyBackupId,
      ...(r.sourceTenantId ? { source_tenant_id: r.sourceTenantId } : {}),
      ...extra,
    };
    await this.outbox.add(tx, { type, data, tenantId: r.tenantId });
  }
}
