import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CreatePaymentMethodRequest, ListPaymentMethodsRequest, ListResult, PaymentMethodRefRequest, PaymentMethodView } from '@saas/contracts';
import { Clock } from '@saas/service-kit';
import { BillingException } from '../common/billing.exception.js';
import { TenantsPort } from '../common/tenants-port.js';
import { Subscription } from '../subscriptions/subscription.entity.js';
import { SubscriptionsService } from '../subscriptions/subscriptions.service.js';
import { PaymentMethod } from './payment-method.entity.js';
import { CardRejected, PaymentProvider } from './payment-provider.js';

function toView(m: PaymentMethod): PaymentMethodView {
  return {
    id: m.id,
    tenant_id: m.tenantId,
    provider: m.provider,
    brand: m.brand,
    last4: m.last4,
    exp_month: m.expMonth,
    exp_year: m.expYear,
    is_default: m.isDefault,
    created_at: m.createdAt.toISOString(),
  };
}

/** A tenant's cards: tokenised by the provider at once, one default per tenant. */
@Injectable()
export class PaymentMethodsService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly provider: PaymentProvider,
    private readonly tenants: TenantsPort,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  async list(req: ListPaymentMethodsRequest): Promise<ListResult<PaymentMethodView>> {
    await this.tenants.authorize(req.caller, req.tenant_id, 'admin');
    const methods = await this.ds.getRepository(PaymentMethod).find({ where: { tenantId: req.tenant_id }, order: { createdAt: 'ASC', id: 'ASC' } });
    return { count: methods.length, results: methods.map(toView) };
  }

  async create(req: CreatePaymentMethodRequest): Promise<PaymentMethodView> {
    await this.tenants.authorize(req.caller, req.tenant_id, 'admin');
    const now = this.clock.now();
    let card;
    try {
      card = await this.provider.tokenise({ number: req.card_number, exp_month: req.exp_month, exp_year: req.exp_year, cvc: req.cvc }, now);
    } catch (err) {
      if (err instanceof CardRejected) throw BillingException.declined(err.message, err.declineCode);
      throw err;
    }
    const view = await this.ds.transaction(async (tx) => {
      const repo = tx.getRepository(PaymentMethod);
      // Serialises concurrent additions for one tenant, so exactly one ends up the default.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`payment-methods:${req.tenant_id}`]);
      const hasDefault = await repo.existsBy({ tenantId: req.tenant_id, isDefault: true });
      const makeDefault = !hasDefault || req.set_default === true;
      if (makeDefault && hasDefault) await repo.update({ tenantId: req.tenant_id, isDefault: true }, { isDefault: false });
      const method = repo.create({
        id: randomUUID(),
        tenantId: req.tenant_id,
        provider: this.provider.name,
        token: card.token,
        brand: card.brand,
        last4: card.last4,
        expMonth: card.exp_month,
        expYear: card.exp_year,
        isDefault: makeDefault,
        createdAt: now,
      });
      await repo.insert(method);
      return toView(method);
    });
    // A new default card pays what is overdue at once (and brings a suspended tenant back).
    if (view.is_default) await this.subscriptions.collectAfterNewMethod(req.tenant_id);
    return view;
  }

  async delete(req: PaymentMethodRefRequest): Promise<PaymentMethodView> {
    const method = await this.ds.getRepository(PaymentMethod).findOneBy({ id: req.id });
    if (!method) throw BillingException.paymentMethodNotFound();
    await this.tenants.authorize(req.caller, method.tenantId, 'admin', BillingException.paymentMethodNotFound);
    return this.ds.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`payment-methods:${method.tenantId}`]);
      await tx.getRepository(PaymentMethod).delete({ id: method.id });
      await tx.getRepository(Subscription).update({ paymentMethodId: method.id }, { paymentMethodId: null });
      if (method.isDefault) {
        // The most recent remaining card becomes the default.
        const next = await tx.getRepository(PaymentMethod).findOne({ where: { tenantId: method.tenantId }, order: { createdAt: 'DESC', id: 'DESC' } });
        if (next) await tx.getRepository(PaymentMethod).update({ id: next.id }, { isDefault: true });
      }
      return { ...toView(method), is_default: false };
    });
  }
}
