import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BillingRpc, PLAN_CATALOGUE, PlansListRequest, type ListResult, type PlanView } from '@saas/contracts';

/** The plan catalogue (libs/contracts) as clients see it; public. */
@Controller()
export class PlansController {
  @MessagePattern(BillingRpc.plansList)
  list(@Payload() _req: PlansListRequest): ListResult<PlanView> {
    const plans = Object.values(PLAN_CATALOGUE).sort((a, b) => a.tier - b.tier);
    return { count: plans.length, results: plans };
  }
}
