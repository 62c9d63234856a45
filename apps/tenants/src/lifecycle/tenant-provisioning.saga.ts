import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, ProvisioningEventData, type EventEnvelope, type TenantStatus } from '@saas/contracts';
import { EventOutbox, OnEvent } from '@saas/messaging';
import { Clock } from '@saas/service-kit';
import { TenantOperation, type OperationKind } from '../operations/tenant-operation.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { toEventData } from '../tenants/tenant.view.js';
import { TenantLifecycle } from './tenant-lifecycle.js';

/** Where a successful operation leaves the tenant; absent = it stays where it is. */
const SUCCESS_STATE: Partial<Record<OperationKind, TenantStatus>> = {
  provision: 'active',
  start: 'active',
  resume: 'active',
  stop: 'stopped',
  suspend: 'suspended',
  delete: 'deleted',
};

/**
 * The tenants side of the lifecycle saga: provisioning reports steps, success and failure of each
 * operation; the tenant's state follows. Reports of an operation that is no longer the tenant's
 * current one (superseded, already finished) are ignored, so redeliveries and stragglers are harmless.
 */
@Injectable()
export class TenantProvisioningSaga {
  constructor(
    private readonly lifecycle: TenantLifecycle,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  @OnEvent(EventTypes.ProvisioningStep, { data: ProvisioningEventData })
  async onStep(event: EventEnvelope<ProvisioningEventData>, tx: EntityManager): Promise<void> {
    const found = await this.load(tx, event.data);
    if (!found) return;
    const { tenant, op } = found;
    op.status = 'running';
    op.step = event.data.step ?? op.step;
    op.progress = Math.max(op.progress, event.data.progress ?? op.progress);
    await tx.getRepository(TenantOperation).save(op);
    if (op.kind === 'provision' && (tenant.status === 'pending' || tenant.status === 'error')) {
      await this.lifecycle.transition(tx, tenant, 'provisioning', { operationId: op.id });
    }
    tenant.progress = op.progress;
    tenant.currentStep = op.step;
    await tx.getRepository(Tenant).save(tenant);
  }

  @OnEvent(EventTypes.ProvisioningSucceeded, { data: ProvisioningEventData })
  async onSucceeded(event: EventEnvelope<ProvisioningEventData>, tx: EntityManager): Promise<void> {
    const found = await this.load(tx, event.data);
    if (!found) return;
    const { tenant, op } = found;
    Object.assign(op, { status: 'succeeded', progress: 100, error: null, finishedAt: this.clock.now() });
    await tx.getRepository(TenantOperation).save(op);
    if (event.data.access_url) tenant.accessUrl = event.data.access_url;
    if (event.data.service_ids) tenant.serviceIds = event.data.service_ids;
    if (op.kind === 'delete') tenant.serviceIds = {};
    tenant.currentStep = op.step;
    if (op.kind === 'migrate_strategy' && event.data.database_strategy && event.data.database_strategy !== tenant.databaseStrategy) {
      const old = tenant.databaseStrategy;
      tenant.databaseStrategy = event.data.database_strategy;
      await tx.getRepository(Tenant).save(tenant);
      await this.outbox.add(tx, {
        type: EventTypes.TenantUpdated,
        tenantId: tenant.id,
        data: { ...toEventData(tenant, op.id), changes: { old: { database_strategy: old }, new: { database_strategy: tenant.databaseStrategy } } },
      });
    }
    const target = SUCCESS_STATE[op.kind];
    if (target && tenant.status !== target) {
      if (target === 'active' && tenant.status === 'pending') await this.lifecycle.transition(tx, tenant, 'provisioning', { operationId: op.id });
      // The state the operation was asked for is the requester's doing (the history's actor).
      await this.lifecycle.transition(tx, tenant, target, { operationId: op.id, reason: op.reason, actorId: op.requestedBy });
    } else if (tenant.status === 'error' && op.kind !== 'delete') {
      // A retried operation (restart, resize…) that succeeds brings the tenant back.
      await this.lifecycle.transition(tx, tenant, 'active', { operationId: op.id });
    } else {
      tenant.progress = 100;
      await tx.getRepository(Tenant).save(tenant);
    }
  }

  @OnEvent(EventTypes.ProvisioningFailed, { data: ProvisioningEventData })
  async onFailed(event: EventEnvelope<ProvisioningEventData>, tx: EntityManager): Promise<void> {
    const found = await this.load(tx, event.data);
    if (!found) return;
    const { tenant, op } = found;
    const reason = event.data.reason ?? 'provisioning failed';
    Object.assign(op, { status: 'failed', error: reason, retryable: event.data.retryable ?? true, finishedAt: this.clock.now() });
    await tx.getRepository(TenantOperation).save(op);
    if (tenant.status !== 'error') await this.lifecycle.transition(tx, tenant, 'error', { operationId: op.id, reason });
  }

  private async load(tx: EntityManager, data: ProvisioningEventData): Promise<{ tenant: Tenant; op: TenantOperation } | null> {
    const tenant = await tx.getRepository(Tenant).findOne({ where: { id: data.tenant_id }, lock: { mode: 'pessimistic_write' } });
    if (!tenant || tenant.currentOperationId !== data.operation_id) return null;
    const op = await tx.getRepository(TenantOperation).findOneBy({ id: data.operation_id });
    if (!op || op.status === 'succeeded' || op.status === 'failed') return null;
    return { tenant, op };
  }
}
