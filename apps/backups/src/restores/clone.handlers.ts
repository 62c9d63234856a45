import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BackupsErrorCodes, EventTypes, TenantEventData, TenantOperationRequestedData, type EventEnvelope } from '@saas/contracts';
import { OnEvent } from '@saas/messaging';
import { Restore } from './restore.entity.js';
import { RestoreLifecycle } from './restore-lifecycle.js';
import { RestoresService } from './restores.service.js';

/**
 * A clone's restore follows its new tenant's sign-up: `tenant.ready` (provisioned) lets it be
 * claimed; a deletion asked for before then fails it (nothing was restored, nothing to roll back).
 */
@Injectable()
export class CloneHandlers {
  constructor(
    private readonly restores: RestoresService,
    private readonly lifecycle: RestoreLifecycle,
  ) {}

  @OnEvent(EventTypes.TenantReady, { data: TenantEventData })
  async onTenantReady(event: EventEnvelope<TenantEventData>, tx: EntityManager): Promise<void> {
    await this.restores.tenantReady(event.data.tenant_id, tx);
  }

  @OnEvent(EventTypes.TenantDeletionRequested, { data: TenantOperationRequestedData })
  async onDeletionRequested(event: EventEnvelope<TenantOperationRequestedData>, tx: EntityManager): Promise<void> {
    const waiting = await tx.getRepository(Restore).find({ where: { tenantId: event.data.tenant_id, status: 'pending', waitingForTenant: true }, lock: { mode: 'pessimistic_write' } });
    for (const restore of waiting) {
      await this.lifecycle.fail(tx, restore, {
        code: BackupsErrorCodes.BACKUP_NOT_RESTORABLE,
        step: restore.step,
        reason: 'the new tenant was deleted before its data could be restored; nothing was restored',
        rolledBack: false,
      });
    }
  }
}
