import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { EventTypes } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { Clock } from '@saas/service-kit';
import type { Tenant } from '../tenants/tenant.entity.js';
import { toEventData } from '../tenants/tenant.view.js';
import { OperationsException } from './operations.exception.js';
import { TenantOperation, type OperationKind } from './tenant-operation.entity.js';

export interface OperationRequest {
  kind: OperationKind;
  reason?: string | null;
  requestedBy?: string | null;
  params?: Record<string, unknown>;
  /** Deletion supersedes whatever is running (a stuck provisioning must not block it). */
  supersede?: boolean;
  /** False only for the first provisioning, which tenant.created itself announces. */
  announce?: boolean;
}

/**
 * Long operations on a tenant's resources. One at a time per tenant; each is announced as an event
 * the provisioning saga acts on, and its progress comes back as provisioning.* events.
 */
@Injectable()
export class TenantOperations {
  constructor(
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async request(tx: EntityManager, tenant: Tenant, req: OperationRequest): Promise<TenantOperation> {
    const repo = tx.getRepository(TenantOperation);
    const running = await repo.findOne({
      where: { tenantId: tenant.id, status: In(['pending', 'running']) },
      order: { createdAt: 'DESC' },
      lock: { mode: 'pessimistic_write' },
    });
    if (running) {
      if (!req.supersede) throw OperationsException.inProgress(running);
      await repo.update({ id: running.id }, { status: 'failed', error: `superseded by ${req.kind}`, retryable: false, finishedAt: this.clock.now() });
    }
    const op = await repo.save(
      repo.create({
        tenantId: tenant.id,
        kind: req.kind,
        status: 'pending',
        reason: req.reason ?? null,
        requestedBy: req.requestedBy ?? null,
        params: req.params ?? {},
      }),
    );
    tenant.currentOperationId = op.id;
    tenant.progress = 0;
    tenant.currentStep = null;
    // Provisioning reacts to tenant.created for the first provisioning; every other operation
    // (including a retried provisioning) is announced by its own event.
    const type = req.kind === 'delete' ? EventTypes.TenantDeletionRequested : EventTypes.TenantOperationRequested;
    if (req.announce !== false) {
      await this.outbox.add(tx, {
        type,
        tenantId: tenant.id,
        // `kind`, as provisioning.* names it; `operation` (the same value) stays for one release (ADR 0018).
        data: { ...toEventData(tenant, op.id), kind: req.kind, operation: req.kind, reason: req.reason ?? null, params: req.params ?? {} },
      });
    }
    return op;
  }
}
