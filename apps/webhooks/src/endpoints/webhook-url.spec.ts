import { describe, expect, it } from '@jest/globals';
import { checkWebhookUrl } from './webhook-url.js';

const production = { allowPrivateNetworks: false, requireHttps: true };
const development = { allowPrivateNetworks: true, requireHttps: false };

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('checkWebhookUrl (registration check; the sender checks again at connect time)', () => {
  it('accepts public https URLs', async () => {
    await expect(checkWebhookUrl('https://8.8.8.8/hook?x=1', production)).resolves.toBe('https://8.8.8.8/hook?x=1');
    await expect(checkWebhookUrl('https://[2606:4700:4700::1111]/hook', production)).resolves.toContain('2606:4700:4700::1111');
  });

  it.each([
    ['http://8.8.8.8/hook', 'plain http in production'],
    ['ftp://8.8.8.8/hook', 'not http(s)'],
    ['https://user:pass@8.8.8.8/hook', 'credentials'],
    ['https://127.0.0.1/hook', 'loopback'],
    ['https://10.0.0.5/hook', 'private'],
    ['https://100.64.1.1/hook', 'CGNAT'],
    ['https://169.254.169.254/latest/meta-data', 'metadata / link-local'],
    ['https://[::1]/hook', 'IPv6 loopback'],
    ['https://[::ffff:169.254.169.254]/hook', 'mapped IPv4 metadata'],
    ['https://localhost/hook', 'localhost'],
    ['https://intranet/hook', 'a single-label name'],
    ['not a url', 'garbage'],
  ])('refuses %s (%s) with INVALID_WEBHOOK_URL', async (url) => {
    expect(await code(checkWebhookUrl(url, production))).toBe('INVALID_WEBHOOK_URL');
  });

  it('allows private networks and http when configured (development, tests), never credentials', async () => {
    await expect(checkWebhookUrl('http://127.0.0.1:3000/hook', development)).resolves.toBe('http://127.0.0.1:3000/hook');
    expect(await code(checkWebhookUrl('http://a:b@127.0.0.1:3000/hook', development))).toBe('INVALID_WEBHOOK_URL');
    expect(await code(checkWebhookUrl('file:///etc/passwd', development))).toBe('INVALID_WEBHOOK_URL');
  });
});
