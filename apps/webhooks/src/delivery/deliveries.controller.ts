import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ListWebhookDeliveriesRequest, WebhookDeliveryRefRequest, WebhooksRpc, type ListResult, type WebhookDeliveryView } from '@saas/contracts';
import { DeliveriesService } from './deliveries.service.js';

@Controller()
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @MessagePattern(WebhooksRpc.deliveriesList)
  list(@Payload() req: ListWebhookDeliveriesRequest): Promise<ListResult<WebhookDeliveryView>> {
    return this.deliveries.list(req);
  }

  @MessagePattern(WebhooksRpc.deliveriesRetry)
  retry(@Payload() req: WebhookDeliveryRefRequest): Promise<WebhookDeliveryView> {
    return this.deliveries.retry(req);
  }
}
