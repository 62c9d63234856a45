import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { BillingRpc, RevenueRequest, type RevenueView } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { RevenueService } from './revenue.service.js';

@Controller()
export class RevenueController {
  constructor(private readonly revenue: RevenueService) {}

  @RpcHandler(BillingRpc.revenue)
  get(@Payload() req: RevenueRequest): Promise<RevenueView> {
    return this.revenue.revenue(req);
  }
}
