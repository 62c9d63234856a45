import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { BillingRpc, CreatePaymentMethodRequest, ListPaymentMethodsRequest, PaymentMethodRefRequest, type ListResult, type PaymentMethodView } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { PaymentMethodsService } from './payment-methods.service.js';

@Controller()
export class PaymentMethodsController {
  constructor(private readonly methods: PaymentMethodsService) {}

  @RpcHandler(BillingRpc.paymentMethodsList)
  list(@Payload() req: ListPaymentMethodsRequest): Promise<ListResult<PaymentMethodView>> {
    return this.methods.list(req);
  }

  @RpcHandler(BillingRpc.paymentMethodsCreate)
  create(@Payload() req: CreatePaymentMethodRequest): Promise<PaymentMethodView> {
    return this.methods.create(req);
  }

  @RpcHandler(BillingRpc.paymentMethodsDelete)
  delete(@Payload() req: PaymentMethodRefRequest): Promise<PaymentMethodView> {
    return this.methods.delete(req);
  }
}
