import { isIP } from 'node:net';
import { refusedCategory } from './address-policy.js';
import { resolveAll } from './guarded-lookup.js';

export interface OutboundUrlPolicy {
  allowPrivateNetworks: boolean;
  requireHttps: boolean;
}

/** Why a URL this service would connect to is refused (the message names the field). */
export class RefusedUrlError extends Error {}

/**
 * The registration check of a URL this service will connect to (a webhook endpoint, a provider's
 * API): http(s) only, no credentials or fragment, https when required, and — unless private
 * networks are allowed — a host that resolves only to public addresses. It is the early, friendly
 * refusal; the guarded agents check the addresses again on every connection (DNS rebinding).
 */
export async function checkOutboundUrl(raw: string, policy: OutboundUrlPolicy, field: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RefusedUrlError(`${field} is not a valid absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RefusedUrlError(`${field} must be http or https`);
  if (policy.requireHttps && url.protocol !== 'https:') throw new RefusedUrlError(`${field} must be https`);
  if (url.username || url.password) throw new RefusedUrlError(`${field} must not carry credentials`);
  if (url.hash) throw new RefusedUrlError(`${field} must not have a fragment`);
  if (!policy.allowPrivateNetworks) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      if (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) throw new RefusedUrlError(`${field} must name a public host`);
      try {
        addresses = (await resolveAll(host)).map((a) => a.address);
      } catch {
        throw new RefusedUrlError(`${field} host ${host} does not resolve`);
      }
    }
    for (const address of addresses) {
      const category = refusedCategory(address);
      if (category) throw new RefusedUrlError(`${field} points at a ${category} address, which this service does not connect to`);
    }
  }
  return url.toString();
}
