import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AdvanceTestClockRequest,
  BillingRpc,
  CancelSubscriptionRequest,
  CreateSubscriptionRequest,
  ListSubscriptionsRequest,
  PreviewSubscriptionChangeRequest,
  SeatRequest,
  SubscriptionRefRequest,
  UpdateSubscriptionRequest,
  type ListResult,
  type SubscriptionChangePreview,
  type SubscriptionView,
} from '@saas/contracts';
import { SubscriptionsService } from './subscriptions.service.js';

@Controller()
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @MessagePattern(BillingRpc.subscriptionsList)
  list(@Payload() req: ListSubscriptionsRequest): Promise<ListResult<SubscriptionView>> {
    return this.subscriptions.list(req);
  }

  @MessagePattern(BillingRpc.subscriptionsCreate)
  create(@Payload() req: CreateSubscriptionRequest): Promise<SubscriptionView> {
    return this.subscriptions.create(req);
  }

  @MessagePattern(BillingRpc.subscriptionsGet)
  get(@Payload() req: SubscriptionRefRequest): Promise<SubscriptionView> {
    return this.subscriptions.get(req);
  }

  @MessagePattern(BillingRpc.subscriptionsUpdate)
  update(@Payload() req: UpdateSubscriptionRequest): Promise<SubscriptionView> {
    return this.subscriptions.update(req);
  }

  @MessagePattern(BillingRpc.subscriptionsPreview)
  preview(@Payload() req: PreviewSubscriptionChangeRequest): Promise<SubscriptionChangePreview> {
    return this.subscriptions.preview(req);
  }

  @MessagePattern(BillingRpc.subscriptionsCancel)
  cancel(@Payload() req: CancelSubscriptionRequest): Promise<SubscriptionView> {
    return this.subscriptions.cancel(req);
  }

  @MessagePattern(BillingRpc.seatsList)
  seats(@Payload() req: SubscriptionRefRequest) {
    return this.subscriptions.seats(req);
  }

  @MessagePattern(BillingRpc.seatsAdd)
  addSeat(@Payload() req: SeatRequest): Promise<SubscriptionView> {
    return this.subscriptions.addSeat(req);
  }

  @MessagePattern(BillingRpc.seatsRemove)
  removeSeat(@Payload() req: SeatRequest): Promise<SubscriptionView> {
    return this.subscriptions.removeSeat(req);
  }

  @MessagePattern(BillingRpc.testClockAdvance)
  advance(@Payload() req: AdvanceTestClockRequest): Promise<SubscriptionView> {
    const ms = ((req.days ?? 0) * 86_400 + (req.seconds ?? 0)) * 1000;
    return this.subscriptions.advanceClock(req.caller, req.subscription_id, ms);
  }
}
