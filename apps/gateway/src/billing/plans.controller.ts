import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { BillingRpc, type ListResult, type PlanView } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { Public } from '../auth/auth.decorators.js';
import { ApiProblems } from '../http/openapi.js';
import { ApiResult } from '../http/api-result.js';
import { PlanListDto } from './dto/billing.views.js';

@ApiTags('billing')
@Controller('api/v1/billing/plans')
export class PlansController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'The plan catalogue: prices per cycle and currency (minor units), trial, seats, proration setting and limits.', operationId: 'billing.plans.list' })
  @ApiResult(PlanListDto, { description: '`{ count, results: [plan] }`.' })
  @ApiProblems(429, 503, 504)
  list(): Promise<ListResult<PlanView>> {
    return this.rpc.call(BillingRpc.plansList, {});
  }
}
