import { randomBytes } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { WebhookReceiver, waitFor } from '@saas/testing';
import { formatSecret } from './signing.js';
import { senderThreadEntry, ThreadedWebhookSender } from './threaded-sender.js';
import { RUN_UNSTORED_MAX, type RunRequest, type WebhookResponse } from './webhook-sender.js';

const entry = senderThreadEntry();

/** The sender thread runs the compiled file: `npm test` builds first. */
(entry ? describe : describe.skip)('ThreadedWebhookSender (a real sender thread and HTTP receiver)', () => {
  const receiver = new WebhookReceiver();
  const secret = formatSecret(randomBytes(24));
  let sender: ThreadedWebhookSender;
  const runOf = (n: number, overrides: Partial<RunRequest> = {}): RunRequest => ({
    endpointId: 'ep_1',
    url: receiver.url,
    headers: { 'x-custom': 'yes' },
    rateLimit: null,
    secrets: [secret],
    deliveries: Array.from({ length: n }, (_, i) => ({ id: `d${i}`, eventId: `msg_${i}_${Date.now()}`, body: JSON.stringify({ type: 'tenant.updated', timestamp: new Date().toISOString(), data: { i } }) })),
    startBefore: Date.now() + 60_000,
    ...overrides,
  });
  const run = (request: RunRequest) => {
    const results: Array<[number, WebhookResponse]> = [];
    const handle = sender.startRun(request, (i, r) => results.push([i, r]));
    return { handle, results };
  };

  beforeAll(async () => {
    await receiver.start();
    sender = new ThreadedWebhookSender(entry!, { timeoutMs: 800, connectTimeoutMs: 300, allowPrivateNetworks: true, threads: 1 });
  });

  afterAll(async () => {
    await sender.close();
    await receiver.stop();
  });

  it('sends a run in order, each request signed per Standard Webhooks on the thread, and reports every attempt', async () => {
    const before = receiver.requests.length;
    const request = runOf(3);
    const { handle, results } = run(request);
    handle.stored(3);
    expect(await handle.done).toBe(3);
    await waitFor(() => results.length === 3, 'three results');
    expect(results.map(([i, r]) => [i, r.status])).toEqual([
      [0, 200],
      [1, 200],
      [2, 200],
    ]);
    const got = receiver.requests.slice(before);
    expect(got.map((r) => r.body)).toEqual(request.deliveries.map((d) => d.body));
    for (const [i, r] of got.entries()) {
      expect(r.headers['webhook-id']).toBe(request.deliveries[i]!.eventId);
      expect(r.headers['x-custom']).toBe('yes');
      expect(() => new Webhook(secret).verify(r.body, r.headers as Record<string, string>)).not.toThrow();
    }
  });

  it('stops after the first delivery that does not succeed', async () => {
    receiver.answer({ status: 200 }, { status: 500, body: 'no' });
    const before = receiver.requests.length;
    const { handle, results } = run(runOf(4));
    handle.stored(4);
    expect(await handle.done).toBe(2);
    await waitFor(() => results.length === 2, 'two results');
    expect(results[1]![1]).toMatchObject({ status: 500, snippet: 'no' });
    expect(receiver.requests.length - before).toBe(2);
  });

  it(`has at most ${RUN_UNSTORED_MAX} successes of a run sent and not stored`, async () => {
    const before = receiver.requests.length;
    const { handle, results } = run(runOf(RUN_UNSTORED_MAX + 4));
    await waitFor(() => results.length === RUN_UNSTORED_MAX, 'the first results');
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests.length - before).toBe(RUN_UNSTORED_MAX);
    handle.stored(RUN_UNSTORED_MAX);
    expect(await handle.done).toBe(RUN_UNSTORED_MAX + 4);
  });

  it('starts no request after the run’s deadline but the first, and sends nothing more once stopped', async () => {
    const late = run(runOf(3, { startBefore: Date.now() - 1 }));
    late.handle.stored(3);
    expect(await late.handle.done).toBe(1);
    const stopped = run(runOf(3));
    stopped.handle.stop();
    expect(await stopped.handle.done).toBeLessThanOrEqual(1);
  });

  it('reports the attempt in flight as failed when its thread dies, and starts another thread', async () => {
    receiver.answer('hang');
    const { handle, results } = run(runOf(2));
    await waitFor(() => receiver.requests.some((r) => r.headers['webhook-id']?.toString().startsWith('msg_0')), 'the request to reach the receiver');
    await (sender as unknown as { threads: Array<{ worker: Worker }> }).threads[0]!.worker.terminate();
    expect(await handle.done).toBe(1);
    expect(results).toHaveLength(1);
    expect(results[0]![1]).toMatchObject({ status: null, error: expect.stringMatching(/sender thread exited/) });
    await waitFor(async () => (await sender.send({ url: receiver.url, headers: {}, body: '{}' })).status === 200, 'a new thread to send');
  });
});
