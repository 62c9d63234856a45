import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CreateWebhookEndpointRequest,
  ListWebhookEndpointsRequest,
  RecoverWebhookEndpointRequest,
  UpdateWebhookEndpointRequest,
  WebhookEndpointRefRequest,
  WebhooksRpc,
  type CreatedWebhookEndpointView,
  type ListResult,
  type RotatedWebhookSecretView,
  type WebhookDeliveryView,
  type WebhookEndpointView,
  type WebhookRecoverResult,
} from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { EndpointsService } from './endpoints.service.js';

@Controller()
export class EndpointsController {
  constructor(private readonly endpoints: EndpointsService) {}

  @RpcHandler(WebhooksRpc.endpointsCreate)
  create(@Payload() req: CreateWebhookEndpointRequest): Promise<CreatedWebhookEndpointView> {
    return this.endpoints.create(req);
  }

  @RpcHandler(WebhooksRpc.endpointsList)
  list(@Payload() req: ListWebhookEndpointsRequest): Promise<ListResult<WebhookEndpointView>> {
    return this.endpoints.list(req);
  }

  @RpcHandler(WebhooksRpc.endpointsGet)
  get(@Payload() req: WebhookEndpointRefRequest): Promise<WebhookEndpointView> {
    return this.endpoints.get(req);
  }

  @RpcHandler(WebhooksRpc.endpointsUpdate)
  update(@Payload() req: UpdateWebhookEndpointRequest): Promise<WebhookEndpointView> {
    return this.endpoints.update(req);
  }

  @RpcHandler(WebhooksRpc.endpointsDelete)
  remove(@Payload() req: WebhookEndpointRefRequest): Promise<WebhookEndpointView> {
    return this.endpoints.remove(req);
  }

  @RpcHandler(WebhooksRpc.endpointsRotateSecret)
  rotateSecret(@Payload() req: WebhookEndpointRefRequest): Promise<RotatedWebhookSecretView> {
    return this.endpoints.rotateSecret(req);
  }

  @RpcHandler(WebhooksRpc.endpointsTest)
  test(@Payload() req: WebhookEndpointRefRequest): Promise<WebhookDeliveryView> {
    return this.endpoints.test(req);
  }

  @RpcHandler(WebhooksRpc.endpointsRecover)
  recover(@Payload() req: RecoverWebhookEndpointRequest): Promise<WebhookRecoverResult> {
    return this.endpoints.recover(req);
  }
}
