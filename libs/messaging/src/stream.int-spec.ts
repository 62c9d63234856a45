import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import { TestEnv, waitFor } from '@saas/testing';
import { connectNats } from './stream.js';

/**
 * Issue 9: a process writes to NATS once per event-loop iteration, not once per message. Before, 50
 * publishes made by 50 timers of one iteration (as 50 HTTP requests read in one poll make 50 RPC
 * requests) took 50 socket writes.
 */
describe('connectNats', () => {
  let env: TestEnv;
  let nc: NatsConnection;

  beforeAll(async () => {
    env = await TestEnv.create('nats-writes');
    nc = await connectNats(env.natsUrl, 'coalesce-test');
  });

  afterAll(async () => {
    await nc.close();
    await env.cleanup();
  });

  it('sends what one event-loop iteration published in one socket write, every message delivered in order', async () => {
    const subject = `${env.prefix}coalesce.check`;
    const received: number[] = [];
    const reader = await env.nats();
    reader.subscribe(subject, { callback: (_err, msg) => void received.push(Number(msg.string())) });
    await reader.flush();
    await nc.flush();

    const transport = (nc as unknown as { protocol: { transport: { send(frame: Uint8Array): void } } }).protocol.transport;
    const send = transport.send.bind(transport);
    let writes = 0;
    transport.send = (frame) => {
      writes++;
      send(frame);
    };
    try {
      await new Promise<void>((resolve) => {
        for (let i = 0; i < 50; i++) setTimeout(() => {
          nc.publish(subject, String(i));
          if (i === 49) resolve();
        }, 0);
      });
      await waitFor(async () => received.length === 50, 'the 50 messages', 5_000, 20);
    } finally {
      transport.send = send;
    }
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(writes).toBeLessThanOrEqual(2);
  });

  it('still answers a request at once', async () => {
    const subject = `${env.prefix}coalesce.echo`;
    nc.subscribe(subject, { callback: (_err, msg) => void msg.respond(msg.data) });
    await nc.flush();
    const started = Date.now();
    expect((await nc.request(subject, 'ping', { timeout: 2_000 })).string()).toBe('ping');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
