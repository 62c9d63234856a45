import { isIP } from 'node:net';
import { refusedCategory } from '../ssrf/address-policy.js';
import { resolveAll } from '../ssrf/guarded-lookup.js';
import { WebhookEndpointException } from './webhook-endpoint.exception.js';

export interface WebhookUrlPolicy {
  allowPrivateNetworks: boolean;
  requireHttps: boolean;
}

/**
 * The registration check of an endpoint URL: http(s) only, no credentials, https in production,
 * and (unless private networks are allowed) a host that resolves only to public addresses. The
 * sender checks the addresses again at connect time (DNS rebinding).
 */
export async function checkWebhookUrl(raw: string, policy: WebhookUrlPolicy): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw WebhookEndpointException.invalidUrl('url is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw WebhookEndpointException.invalidUrl('url must be http or https');
  if (policy.requireHttps && url.protocol !== 'https:') throw WebhookEndpointException.invalidUrl('url must be https');
  if (url.username || url.password) throw WebhookEndpointException.invalidUrl('url must not carry credentials');
  if (url.hash) throw WebhookEndpointException.invalidUrl('url must not have a fragment');
  if (!policy.allowPrivateNetworks) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      if (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) throw WebhookEndpointException.invalidUrl('url must name a public host');
      try {
        addresses = (await resolveAll(host)).map((a) => a.address);
      } catch {
        throw WebhookEndpointException.invalidUrl(`url host ${host} does not resolve`);
      }
    }
    for (const address of addresses) {
      const category = refusedCategory(address);
      if (category) throw WebhookEndpointException.invalidUrl(`url points at a ${category} address, which webhooks are not sent to`);
    }
  }
  return url.toString();
}
