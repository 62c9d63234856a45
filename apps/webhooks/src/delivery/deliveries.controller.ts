import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ListWebhookDeliveriesRequest, WebhookDeliveryRefRequest, WebhooksRpc, type ListResult, type WebhookDeliveryView } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { DeliveriesService } from './deliveries.service.js';

@Controller()
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @RpcHandler(WebhooksRpc.deliveriesList)
  list(@Payload() req: ListWebhookDeliveriesRequest): Promise<ListResult<WebhookDeliveryView>> {
    return this.deliveries.list(req);
  }

  @RpcHandler(WebhooksRpc.deliveriesRetry)
  retry(@Payload() req: WebhookDeliveryRefRequest): Promise<WebhookDeliveryView> {
    return this.deliveries.retry(req);
  }
}
