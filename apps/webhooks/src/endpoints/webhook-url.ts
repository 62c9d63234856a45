import { checkOutboundUrl, RefusedUrlError, type OutboundUrlPolicy } from '../ssrf/outbound-url.js';
import { WebhookEndpointException } from './webhook-endpoint.exception.js';

export type WebhookUrlPolicy = OutboundUrlPolicy;

/**
 * The registration check of an endpoint URL (`checkOutboundUrl`: http(s), no credentials, https in
 * production, public addresses only unless private networks are allowed) → 400 INVALID_WEBHOOK_URL.
 * The sender checks the addresses again at connect time (DNS rebinding).
 */
export async function checkWebhookUrl(raw: string, policy: WebhookUrlPolicy): Promise<string> {
  try {
    return await checkOutboundUrl(raw, policy, 'url');
  } catch (err) {
    if (err instanceof RefusedUrlError) throw WebhookEndpointException.invalidUrl(err.message);
    throw err;
  }
}
