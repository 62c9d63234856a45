import type { OutgoingMail } from '@saas/service-kit';

/**
 * An endpoint URL as a mail may show it: scheme, host, port and path, with what may be a secret
 * left out — credentials, every query value (`?token=…`), the fragment, and path segments that look
 * like tokens (Slack-style `/services/T0/B0/<secret>`), cut to their first 4 characters.
 */
export function displayUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(not a valid URL)';
  }
  const path = url.pathname
    .split('/')
    .map((segment) => (looksLikeToken(decodeSafe(segment)) ? `${segment.slice(0, 4)}…` : segment))
    .join('/');
  const query = [...url.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=…`).join('&');
  return `${url.protocol}//${url.host}${path}${query ? `?${query}` : ''}`;
}

function decodeSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Long, or mixing letters and digits at some length: an id or a token rather than a word of a path. */
function looksLikeToken(segment: string): boolean {
  if (segment.length >= 24) return true;
  return segment.length >= 12 && /[0-9]/.test(segment) && /[A-Za-z]/.test(segment);
}

export interface EndpointDisabledMailInput {
  to: string;
  endpointId: string;
  url: string;
  description: string;
  /** Null for a platform endpoint. */
  tenant: { id: string; name: string } | null;
  reason: string;
  consecutiveFailures: number;
  failingSince: string | null;
  disabledAt: string;
  /** Base of the API links (PUBLIC_APP_URL). */
  appUrl: string;
}

/** The mail that tells an endpoint's owner it was disabled, why, and how to turn it back on. */
export function endpointDisabledMail(m: EndpointDisabledMailInput): OutgoingMail {
  const base = `${m.appUrl.replace(/\/$/, '')}/api/v1/webhooks/endpoints/${m.endpointId}`;
  const shown = displayUrl(m.url);
  const why = [`Why: ${m.reason}.`, `Failed attempts in a row: ${m.consecutiveFailures}${m.failingSince ? ` (the first at ${m.failingSince})` : ''}.`].join('\n');
  const since = m.failingSince ?? m.disabledAt;
  const lines = [
    m.tenant
      ? `The webhook endpoint below, of your tenant ${m.tenant.name || m.tenant.id}, was disabled at ${m.disabledAt}: events are no longer sent to it.`
      : `The platform webhook endpoint below was disabled at ${m.disabledAt}: events are no longer sent to it.`,
    '',
    `Endpoint: ${m.endpointId}`,
    `URL: ${shown}`,
    ...(m.description ? [`Description: ${m.description}`] : []),
    ...(m.tenant ? [`Tenant: ${m.tenant.name ? `${m.tenant.name} ` : ''}(${m.tenant.id})`] : []),
    '',
    why,
    '',
    'What happens now: events that occur while it is disabled are not queued for it. Messages queued',
    'before it was disabled stay queued and are sent, in order, once it is enabled again; those that',
    'had run out of retries are marked failed and can be sent again with "recover" below.',
    '',
    'To turn it back on, fix the receiver (it must answer 2xx within the timeout; 410 Gone disables',
    'it at once), then enable the endpoint:',
    '',
    `  PUT ${base}`,
    '  {"enabled": true}',
    '',
    'and, to resend what failed since it started failing:',
    '',
    `  POST ${base}/recover`,
    `  {"since": "${since}"}`,
    '',
    'The endpoint, and its failed deliveries with every attempt (status code, response, error):',
    '',
    `  GET ${base}`,
    `  GET ${m.appUrl.replace(/\/$/, '')}/api/v1/webhooks/deliveries?endpoint_id=${m.endpointId}&status=failed`,
  ];
  return { to: m.to, kind: 'webhook-endpoint-disabled', subject: `Webhook endpoint disabled: ${shown}`, text: lines.join('\n') };
}
