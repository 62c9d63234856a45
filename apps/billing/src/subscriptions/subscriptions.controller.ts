import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
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
import { RpcHandler } from '@saas/messaging';
import { SubscriptionsService } from './subscriptions.service.js';

@Controller()
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @RpcHandler(BillingRpc.subscriptionsList)
  list(@Payload() req: ListSubscriptionsRequest): Promise<ListResult<SubscriptionView>> {
    return this.subscriptions.list(req);
  }

  @RpcHandler(BillingRpc.subscriptionsCreate)
  create(@Payload() req: CreateSubscriptionRequest): Promise<SubscriptionView> {
    return this.subscriptions.create(req);
  }

  @RpcHandler(BillingRpc.subscriptionsGet)
  get(@Payload() req: SubscriptionRefRequest): Promise<SubscriptionView> {
    return this.subscriptions.get(req);
  }

  @RpcHandler(BillingRpc.subscriptionsUpdate)
  update(@Payload() req: UpdateSubscriptionRequest): Promise<SubscriptionView> {
    return this.subscriptions.update(req);
  }

  @RpcHandler(BillingRpc.subscriptionsPreview)
  preview(@Payload() req: PreviewSubscriptionChangeRequest): Promise<SubscriptionChangePreview> {
    return this.subscriptions.preview(req);
  }

  @RpcHandler(BillingRpc.subscriptionsCancel)
  cancel(@Payload() req: CancelSubscriptionRequest): Promise<SubscriptionView> {
    return this.subscriptions.cancel(req);
  }

  @RpcHandler(BillingRpc.seatsList)
  seats(@Payload() req: SubscriptionRefRequest) {
    return this.subscriptions.seats(req);
  }

  @RpcHandler(BillingRpc.seatsAdd)
  addSeat(@Payload() req: SeatRequest): Promise<SubscriptionView> {
    return this.subscriptions.addSeat(req);
  }

  @RpcHandler(BillingRpc.seatsRemove)
  removeSeat(@Payload() req: SeatRequest): Promise<SubscriptionView> {
    return this.subscriptions.removeSeat(req);
  }

  @RpcHandler(BillingRpc.testClockAdvance)
  advance(@Payload() req: AdvanceTestClockRequest): Promise<SubscriptionView> {
    const ms = ((req.days ?? 0) * 86_400 + (req.seconds ?? 0)) * 1000;
    return this.subscriptions.advanceClock(req.caller, req.subscription_id, ms);
  }
}
