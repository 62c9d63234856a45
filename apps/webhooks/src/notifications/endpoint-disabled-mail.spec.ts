import { describe, expect, it } from '@jest/globals';
import { webhooksConfigSchema } from '../config.js';
import { displayUrl, endpointDisabledMail } from './endpoint-disabled-mail.js';

describe('displayUrl (an endpoint URL as a mail shows it)', () => {
  it.each([
    ['https://hooks.example.com/webhooks', 'https://hooks.example.com/webhooks'],
    ['https://hooks.example.com:8443/in/saas?token=abc&x=1', 'https://hooks.example.com:8443/in/saas?token=…&x=…'],
    ['https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', 'https://hooks.slack.com/services/T00000000/B00000000/XXXX…'],
    ['https://example.com/hook/0f8fad5b-d9cb-469f-a165-70867728950e', 'https://example.com/hook/0f8f…'],
    ['https://example.com/a#secret-fragment', 'https://example.com/a'],
    ['not a url', '(not a valid URL)'],
  ])('shows %s as %s', (raw, shown) => {
    expect(displayUrl(raw)).toBe(shown);
  });
});

describe('endpointDisabledMail', () => {
  const base = {
    to: 'owner@example.com',
    endpointId: '3d3a7d0c-1f7e-4a53-9a3e-2b5a3f1e9c11',
    url: 'https://hooks.example.com/in?sig=topsecret',
    description: 'CRM sync',
    tenant: { id: '7b0e7c9e-3c7a-4a39-8d0c-0d5f4f3e2a10', name: 'Acme' },
    reason: 'the endpoint answered 410 Gone',
    consecutiveFailures: 1,
    failingSince: '2026-12-01T10:00:00.000Z',
    disabledAt: '2026-12-01T10:00:00.500Z',
    appUrl: 'https://console.example.com/',
  };

  it('names the endpoint without its secrets, says why, and how to enable it and resend what failed', () => {
    const mail = endpointDisabledMail(base);
    expect(mail).toMatchObject({ to: 'owner@example.com', kind: 'webhook-endpoint-disabled', subject: 'Webhook endpoint disabled: https://hooks.example.com/in?sig=…' });
    expect(mail.text).not.toContain('topsecret');
    expect(mail.text).toContain(`Endpoint: ${base.endpointId}`);
    expect(mail.text).toContain('Why: the endpoint answered 410 Gone.\nFailed attempts in a row: 1 (the first at 2026-12-01T10:00:00.000Z).');
    expect(mail.text).toContain(`  PUT https://console.example.com/api/v1/webhooks/endpoints/${base.endpointId}\n  {"enabled": true}`);
    expect(mail.text).toContain(`  POST https://console.example.com/api/v1/webhooks/endpoints/${base.endpointId}/recover\n  {"since": "2026-12-01T10:00:00.000Z"}`);
  });

  it('speaks of the platform for an endpoint of no tenant', () => {
    const mail = endpointDisabledMail({ ...base, tenant: null, to: 'ops@example.com' });
    expect(mail.text).toMatch(/^The platform webhook endpoint below was disabled/);
    expect(mail.text).not.toContain('Tenant:');
  });

  it('mails nobody about platform endpoints unless WEBHOOKS_PLATFORM_ALERT_EMAILS names someone', () => {
    expect(webhooksConfigSchema.parse({}).WEBHOOKS_PLATFORM_ALERT_EMAILS).toEqual([]);
    expect(webhooksConfigSchema.parse({ WEBHOOKS_PLATFORM_ALERT_EMAILS: ' ops@example.com,, oncall@example.com ' }).WEBHOOKS_PLATFORM_ALERT_EMAILS).toEqual(['ops@example.com', 'oncall@example.com']);
    expect(webhooksConfigSchema.safeParse({ WEBHOOKS_PLATFORM_ALERT_EMAILS: 'ops' }).success).toBe(false);
  });
});
