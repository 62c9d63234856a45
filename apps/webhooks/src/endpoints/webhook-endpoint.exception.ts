import { DomainException } from '@saas/errors';
import { WebhooksErrorCodes } from '@saas/contracts';

export class WebhookEndpointException extends DomainException {
  static endpointNotFound(): WebhookEndpointException {
    return new WebhookEndpointException(WebhooksErrorCodes.WEBHOOK_ENDPOINT_NOT_FOUND, 'No webhook endpoint with that id.', { status: 404 });
  }

  static deliveryNotFound(): WebhookEndpointException {
    return new WebhookEndpointException(WebhooksErrorCodes.WEBHOOK_DELIVERY_NOT_FOUND, 'No webhook delivery with that id.', { status: 404 });
  }

  static invalidUrl(detail: string): WebhookEndpointException {
    return new WebhookEndpointException(WebhooksErrorCodes.INVALID_WEBHOOK_URL, detail, { status: 400, errors: [{ field: 'url', message: detail }] });
  }

  static disabled(): WebhookEndpointException {
    return new WebhookEndpointException(WebhooksErrorCodes.WEBHOOK_ENDPOINT_DISABLED, 'The endpoint is disabled; enable it first.', { status: 409 });
  }

  static limitExceeded(limit: number, plan: string): WebhookEndpointException {
    return new WebhookEndpointException(
      WebhooksErrorCodes.WEBHOOK_ENDPOINT_LIMIT_EXCEEDED,
      `The ${plan} plan allows ${limit} webhook endpoint(s) per tenant; delete one or upgrade.`,
      { status: 409, extensions: { limit, plan } },
    );
  }

  static forbidden(): WebhookEndpointException {
    return new WebhookEndpointException('FORBIDDEN', 'Only platform admins manage platform endpoints.', { status: 403 });
  }
}
