import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BillingRpc, CreatePaymentMethodRequest, ListPaymentMethodsRequest, PaymentMethodRefRequest, type ListResult, type PaymentMethodView } from '@saas/contracts';
import { PaymentMethodsService } from './payment-methods.service.js';

@Controller()
export class PaymentMethodsController {
  constructor(private readonly methods: PaymentMethodsService) {}

  @MessagePattern(BillingRpc.paymentMethodsList)
  list(@Payload() req: ListPaymentMethodsRequest): Promise<ListResult<PaymentMethodView>> {
    return this.methods.list(req);
  }

  @MessagePattern(BillingRpc.paymentMethodsCreate)
  create(@Payload() req: CreatePaymentMethodRequest): Promise<PaymentMethodView> {
    return this.methods.create(req);
  }

  @MessagePattern(BillingRpc.paymentMethodsDelete)
  delete(@Payload() req: PaymentMethodRefRequest): Promise<PaymentMethodView> {
    return this.methods.delete(req);
  }
}
