import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BillingErrorCodes, EventTypes, PaymentEventData, type EventEnvelope } from '@saas/contracts';
import { OnEvent } from '@saas/messaging';
import { Clock } from '@saas/service-kit';
import { TenantOperation } from '../operations/tenant-operation.entity.js';
import { TenantOperations } from '../operations/tenant-operations.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { TenantLifecycle } from './tenant-lifecycle.js';

/**
 * The billing step of the tenant saga, as tenants sees it: a plan without a trial is charged when the
 * tenant is created, and a tenant whose first payment fails does not become active — it goes to
 * `error` with code BILLING_ERROR and the decline as the reason, and its provisioning is failed (a
 * late `provisioning.succeeded` is ignored). When the first payment succeeds (a working card added,
 * a dunning retry) the tenant is provisioned again. Only `first_payment` charges count: renewals
 * go through dunning and suspension instead.
 */
@Injectable()
export class TenantBillingSaga {
  constructor(
    private readonly lifecycle: TenantLifecycle,
    private readonly operations: TenantOperations,
    private readonly clock: Clock,
  ) {}

  @OnEvent(EventTypes.PaymentFailed, { data: PaymentEventData })
  async onPaymentFailed(event: EventEnvelope<PaymentEventData>, tx: EntityManager): Promise<void> {
    if (!event.data.first_payment) return;
    const tenant = await this.lock(tx, event.data.tenant_id);
    if (!tenant || !['pending', 'provisioning', 'active', 'error'].includes(tenant.status)) return;
    const reason = event.data.reason ?? 'The first payment failed.';
    const op = tenant.currentOperationId ? await tx.getRepository(TenantOperation).findOneBy({ id: tenant.currentOperationId }) : null;
    if (op) {
      // A provisioning still under way is failed (its late success is ignored); one that already
      // succeeded (the payment's answer came last) keeps its outcome, with the code of what followed.
      if (op.status !== 'succeeded') Object.assign(op, { status: 'failed', error: reason, retryable: true, finishedAt: op.finishedAt ?? this.clock.now() });
      op.errorCode = BillingErrorCodes.BILLING_ERROR;
      await tx.getRepository(TenantOperation).save(op);
    }
    if (tenant.status === 'error') {
      // Already held for billing: the latest decline is the reason shown.
      tenant.statusReason = reason;
      await tx.getRepository(Tenant).save(tenant);
      return;
    }
    await this.lifecycle.transition(tx, tenant, 'error', { operationId: op?.id, reason });
  }

  @OnEvent(EventTypes.PaymentSucceeded, { data: PaymentEventData })
  async onPaymentSucceeded(event: EventEnvelope<PaymentEventData>, tx: EntityManager): Promise<void> {
    if (!event.data.first_payment) return;
    const tenant = await this.lock(tx, event.data.tenant_id);
    if (!tenant || tenant.status !== 'error') return;
    const op = tenant.currentOperationId ? await tx.getRepository(TenantOperation).findOneBy({ id: tenant.currentOperationId }) : null;
    if (!op || op.errorCode !== BillingErrorCodes.BILLING_ERROR) return;
    if (op.status === 'succeeded') {
      // Provisioned before the decline arrived: the instance is there, the tenant is live again.
      op.errorCode = null;
      await tx.getRepository(TenantOperation).save(op);
      await this.lifecycle.transition(tx, tenant, 'active', { operationId: op.id, reason: 'first payment received' });
      return;
    }
    // Paid: the saga goes on where billing stopped it, as an admin's retry would (provisioning's
    // first step moves the tenant to provisioning).
    await this.operations.request(tx, tenant, { kind: 'provision', reason: 'first payment received', params: { action: 'retry', retry: true } });
    await tx.getRepository(Tenant).save(tenant);
  }

  private lock(tx: EntityManager, tenantId: string): Promise<Tenant | null> {
    return tx.getRepository(Tenant).findOne({ where: { id: tenantId }, lock: { mode: 'pessimistic_write' } });
  }
}
