import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebhookReceiver } from '@saas/testing';
import { HttpWebhookSender, RESPONSE_SNIPPET_BYTES } from './webhook-sender.js';

describe('HttpWebhookSender (real HTTP receiver)', () => {
  const receiver = new WebhookReceiver();
  const open = new HttpWebhookSender({ timeoutMs: 800, connectTimeoutMs: 300, allowPrivateNetworks: true });
  const guarded = new HttpWebhookSender({ timeoutMs: 800, connectTimeoutMs: 300, allowPrivateNetworks: false });
  const post = (sender: HttpWebhookSender, url = receiver.url) => sender.send({ url, headers: { 'webhook-id': 'msg_1' }, body: '{"type":"x"}' });

  beforeAll(async () => {
    await receiver.start();
  });

  afterAll(async () => {
    open.close();
    guarded.close();
    await receiver.stop();
  });

  it('posts the body with its headers and reports the answer', async () => {
    receiver.answer({ status: 202, body: 'thanks' });
    const res = await post(open);
    expect(res).toMatchObject({ status: 202, snippet: 'thanks', error: null });
    const req = receiver.requests.at(-1)!;
    expect(req).toMatchObject({ method: 'POST', path: '/hook', body: '{"type":"x"}' });
    expect(req.headers['webhook-id']).toBe('msg_1');
    expect(req.headers['content-type']).toBe('application/json');
  });

  it('reads at most a few KB of the response body', async () => {
    receiver.answer({ status: 500, body: 'x'.repeat(200_000) });
    const res = await post(open);
    expect(res.status).toBe(500);
    expect(res.snippet).toHaveLength(RESPONSE_SNIPPET_BYTES);
  });

  it('gives up on a receiver that does not answer within the deadline', async () => {
    receiver.answer('hang');
    const res = await post(open);
    expect(res.status).toBeNull();
    expect(res.error).toMatch(/timeout|abort|cancel/i);
    expect(res.latencyMs).toBeLessThan(3_000);
  });

  it('passes Retry-After through', async () => {
    receiver.answer({ status: 429, headers: { 'retry-after': '7' } });
    expect(await post(open)).toMatchObject({ status: 429, retryAfter: '7' });
  });

  it('refuses loopback addresses at connect time, by literal IP and by name, without even connecting', async () => {
    const before = receiver.requests.length;
    const connectionsBefore = receiver.connections;
    const byIp = await post(guarded);
    expect(byIp.status).toBeNull();
    expect(byIp.error).toMatch(/loopback/);
    const byName = await post(guarded, receiver.url.replace('127.0.0.1', 'localhost'));
    expect(byName.status).toBeNull();
    expect(byName.error).toMatch(/loopback/);
    const mapped = await post(guarded, receiver.url.replace('127.0.0.1', '[::ffff:127.0.0.1]'));
    expect(mapped.status).toBeNull();
    expect(mapped.error).toMatch(/refused to connect to .*loopback/);
    expect(receiver.requests.length).toBe(before);
    expect(receiver.connections).toBe(connectionsBefore);
  });

  it('does not follow redirects', async () => {
    receiver.answer({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } });
    expect(await post(open)).toMatchObject({ status: 302 });
  });
});
