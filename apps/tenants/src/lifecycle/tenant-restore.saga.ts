import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, RestoreEventData, type EventEnvelope } from '@saas/contracts';
import { OnEvent } from '@saas/messaging';
import { Tenant } from '../tenants/tenant.entity.js';
import { TenantTransition } from './tenant-transition.entity.js';
import { TenantLifecycle } from './tenant-lifecycle.js';
import { canTransition } from './tenant-state-machine.js';

/** The history's reason of the transition that ends a restore; it names the restore, so a late start is told apart. */
function endReason(restoreId: string, outcome: string): string {
  return `restore ${restoreId} ${outcome}`;
}

/**
 * The tenants side of a restore: `restore.started` puts the tenant in `restoring` (no deletion, no
 * instance action meanwhile: the state machine refuses them), `restore.completed` and a rolled-back
 * `restore.failed` bring it back to `active` (the restore starts the instance again either way), a
 * failed rollback leaves it in `error` with the reason. The backups service ends every restore it
 * started, also one whose process died (its stale sweep rolls back and emits `restore.failed`), so
 * `restoring` is never left behind. Redeliveries are absorbed by the inbox; a `restore.started` that
 * arrives after its own end (history says so) is ignored.
 */
@Injectable()
export class TenantRestoreSaga {
  constructor(private readonly lifecycle: TenantLifecycle) {}

  @OnEvent(EventTypes.RestoreStarted, { data: RestoreEventData })
  async onStarted(event: EventEnvelope<RestoreEventData>, tx: EntityManager): Promise<void> {
    const tenant = await this.lock(tx, event.data.tenant_id);
    if (!tenant || !canTransition(tenant.status, 'restoring')) return;
    const ended = await tx
      .getRepository(TenantTransition)
      .createQueryBuilder('h')
      .where('h.tenant_id = :id AND h.from_status = :from AND starts_with(h.reason, :reason)', { id: tenant.id, from: 'restoring', reason: `restore ${event.data.restore_id} ` })
      .getExists();
    if (ended) return;
    await this.lifecycle.transition(tx, tenant, 'restoring', { reason: `restore ${event.data.restore_id} of backup ${event.data.backup_id}` });
  }

  @OnEvent(EventTypes.RestoreCompleted, { data: RestoreEventData })
  async onCompleted(event: EventEnvelope<RestoreEventData>, tx: EntityManager): Promise<void> {
    const tenant = await this.lock(tx, event.data.tenant_id);
    if (tenant?.status !== 'restoring') return;
    await this.lifecycle.transition(tx, tenant, 'active', { reason: endReason(event.data.restore_id, 'completed') });
  }

  @OnEvent(EventTypes.RestoreFailed, { data: RestoreEventData })
  async onFailed(event: EventEnvelope<RestoreEventData>, tx: EntityManager): Promise<void> {
    const tenant = await this.lock(tx, event.data.tenant_id);
    if (tenant?.status !== 'restoring') return;
    const why = event.data.reason ?? 'the restore failed';
    if (event.data.rolled_back) {
      await this.lifecycle.transition(tx, tenant, 'active', { reason: `${endReason(event.data.restore_id, 'failed')} and was rolled back: ${why}` });
    } else {
      await this.lifecycle.transition(tx, tenant, 'error', { reason: `${endReason(event.data.restore_id, 'failed')}, not rolled back: ${why}` });
    }
  }

  private lock(tx: EntityManager, tenantId: string): Promise<Tenant | null> {
    return tx.getRepository(Tenant).findOne({ where: { id: tenantId }, lock: { mode: 'pessimistic_write' } });
  }
}
