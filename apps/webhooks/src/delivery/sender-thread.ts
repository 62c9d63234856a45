/**
 * A sender thread (worker_threads): takes runs (and single requests) from the service's main
 * thread, signs and sends them with its own HttpWebhookSender (axios, keep-alive agents, the
 * connect-time SSRF check) — a run's deliveries one after the other, in WebhookSender.startRun's
 * loop — and reports every attempt. Nothing else runs here: no Postgres, no NATS, no Nest. See
 * ThreadedWebhookSender and ADR 0019.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { batchedPoster, REPORT_DELAY_MS, type SenderThreadEvent, type SenderThreadMessage, type SenderThreadReply } from './threaded-sender.js';
import { HttpWebhookSender, type HttpWebhookSenderOptions, type RunHandle } from './webhook-sender.js';

const port = parentPort;
if (!port) throw new Error('sender-thread runs as a worker thread');
const sender = new HttpWebhookSender(workerData as HttpWebhookSenderOptions);
const runs = new Map<number, RunHandle>();
// What happens within REPORT_DELAY_MS goes back in one message.
const report = batchedPoster<SenderThreadEvent>((events) => port.postMessage(events satisfies SenderThreadReply), REPORT_DELAY_MS);

port.on('message', (message: SenderThreadMessage) => {
  if (message === 'close') {
    for (const run of runs.values()) run.stop();
    sender.close();
    port.close();
    return;
  }
  for (const command of message) {
    switch (command.kind) {
      case 'send':
        // send() never throws: every outcome is a response.
        void sender.send(command.request).then((response) => report({ n: command.n, response }));
        break;
      case 'run': {
        const { n } = command;
        const handle = sender.startRun(command.run, (index, response) => report({ n, index, response }));
        runs.set(n, handle);
        void handle.done.then((sent) => {
          runs.delete(n);
          report({ n, sent });
        });
        break;
      }
      case 'stored':
        runs.get(command.n)?.stored(command.count);
        break;
      case 'stop':
        runs.get(command.n)?.stop();
        break;
    }
  }
});
