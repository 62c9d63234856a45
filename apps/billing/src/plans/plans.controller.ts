import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { BillingRpc, PLAN_CATALOGUE, PlansListRequest, type ListResult, type PlanView } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { SERVICE_CONFIG } from '@saas/service-kit';
import { parseTrialDays, type BillingConfig } from '../config.js';

/** The plan catalogue (libs/contracts) as clients see it, with this installation's trials (BILLING_TRIAL_DAYS); public. */
@Controller()
export class PlansController {
  private readonly trialDays: ReturnType<typeof parseTrialDays>;

  constructor(@Inject(SERVICE_CONFIG) config: BillingConfig) {
    this.trialDays = parseTrialDays(config.BILLING_TRIAL_DAYS);
  }

  @RpcHandler(BillingRpc.plansList)
  list(@Payload() _req: PlansListRequest): ListResult<PlanView> {
    const plans = Object.values(PLAN_CATALOGUE)
      .sort((a, b) => a.tier - b.tier)
      .map((p) => ({ ...p, trial_days: this.trialDays[p.code] ?? p.trial_days }));
    return { count: plans.length, results: plans };
  }
}
