import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import {
  succeeded2xx,
  WebhookSender,
  type HttpWebhookSenderOptions,
  type RunHandle,
  type RunRequest,
  type WebhookRequest,
  type WebhookResponse,
} from './webhook-sender.js';

/** Main thread → sender thread (batched): a request, a run, a run's stored count or stop; or 'close'. */
export type SenderThreadCommand =
  | { kind: 'send'; n: number; request: WebhookRequest }
  | { kind: 'run'; n: number; run: RunRequest }
  | { kind: 'stored'; n: number; count: number }
  | { kind: 'stop'; n: number };
export type SenderThreadMessage = SenderThreadCommand[] | 'close';
/** Sender thread → main thread (batched): a request's answer, a run's attempt, a run's end. */
export type SenderThreadEvent = { n: number; response: WebhookResponse } | { n: number; index: number; response: WebhookResponse } | { n: number; sent: number };
export type SenderThreadReply = SenderThreadEvent[];

/**
 * Messages between threads are batched — per turn of the event loop (setImmediate), or what
 * `delayMs` gathers: a message wakes the other thread, and on this kind of machine a wake-up costs
 * about as much as a request's own socket write (the profile: one postMessage per answer was a
 * tenth of the sender thread).
 */
export function batchedPoster<T>(post: (items: T[]) => void, delayMs = 0): (item: T) => void {
  let items: T[] = [];
  const flush = () => {
    const batch = items;
    items = [];
    post(batch);
  };
  return (item: T) => {
    items.push(item);
    if (items.length > 1) return;
    if (delayMs > 0) setTimeout(flush, delayMs);
    else setImmediate(flush);
  };
}

/**
 * How long a sender thread gathers its reports (attempts, runs ended) before it posts them: a run
 * does not wait for them (only its RUN_UNSTORED_MAX bound does), so in a burst they wake the main
 * thread at most once per REPORT_DELAY_MS rather than once per request.
 */
export const REPORT_DELAY_MS = 2;

interface ThreadRun {
  onResult: (index: number, response: WebhookResponse) => void;
  resolve: (sent: number) => void;
  /** Results received so far, and whether the last one ended the run. */
  results: number;
  ended: boolean;
  size: number;
}

interface Thread {
  worker: Worker;
  sends: Map<number, (response: WebhookResponse) => void>;
  runs: Map<number, ThreadRun>;
  post: (command: SenderThreadCommand) => void;
}

const lost = (why: string): WebhookResponse => ({ status: null, retryAfter: undefined, snippet: null, latencyMs: 0, error: `webhook sender thread ${why}` });

/**
 * The compiled sender thread's file. The service runs from dist/, where it sits next to this
 * module; specs run the TypeScript sources, and use the compiled file when the workspace is built
 * (null when it is not: the caller sends on the main thread instead).
 */
export function senderThreadEntry(): URL | null {
  const here = fileURLToPath(new URL('./sender-thread.js', import.meta.url));
  if (existsSync(here)) return pathToFileURL(here);
  const marker = `${path.sep}apps${path.sep}webhooks${path.sep}`;
  const at = here.lastIndexOf(marker);
  if (at < 0) return null;
  const built = `${here.slice(0, at)}${path.sep}dist${here.slice(at)}`;
  return existsSync(built) ? pathToFileURL(built) : null;
}

/**
 * Sends webhooks on worker threads (WEBHOOK_SENDER_THREADS; ADR 0019), each with its own
 * HttpWebhookSender: a whole run goes to a thread, which signs and sends its deliveries one after
 * the other (WebhookSender.startRun's loop, there) and reports each attempt as it comes, while the
 * main thread consumes events, claims and records. No message crosses between two requests of a
 * run: the thread goes on unless the main thread's stored count holds it back (RUN_UNSTORED_MAX)
 * or it is stopped. An endpoint's runs always go to the same thread (its keep-alive sockets and
 * rate limit live there). A thread that dies answers what it had in flight with an error (retried
 * under the same webhook-id, as a timeout would be) and is started again.
 */
export class ThreadedWebhookSender extends WebhookSender {
  private readonly threads: Thread[] = [];
  private next = 0;
  private closing = false;

  constructor(
    private readonly entry: URL,
    private readonly options: HttpWebhookSenderOptions & { threads: number },
    private readonly logger?: Logger,
  ) {
    super();
    for (let i = 0; i < Math.max(1, options.threads); i++) this.threads.push(this.start(i));
  }

  private start(slot: number): Thread {
    const { threads: _threads, ...senderOptions } = this.options;
    const worker = new Worker(this.entry, { workerData: senderOptions, name: `webhook-sender-${slot}` });
    const thread: Thread = {
      worker,
      sends: new Map(),
      runs: new Map(),
      // A thread that died meanwhile answered these already (errors); its replacement is not asked.
      post: batchedPoster((commands) => {
        if (this.threads[slot] === thread && !this.closing) worker.postMessage(commands satisfies SenderThreadMessage);
      }),
    };
    worker.on('message', (events: SenderThreadReply) => {
      for (const event of events) {
        if ('sent' in event) {
          const run = thread.runs.get(event.n);
          thread.runs.delete(event.n);
          run?.resolve(event.sent);
        } else if ('index' in event) {
          const run = thread.runs.get(event.n);
          if (!run) continue;
          run.results++;
          run.ended = !succeeded2xx(event.response);
          run.onResult(event.index, event.response);
        } else {
          const resolve = thread.sends.get(event.n);
          thread.sends.delete(event.n);
          resolve?.(event.response);
        }
      }
    });
    const gone = (why: string) => {
      for (const resolve of thread.sends.values()) resolve(lost(why));
      thread.sends.clear();
      // The attempt in flight, if any, is reported failed: it may have reached the receiver.
      for (const run of thread.runs.values()) {
        if (!run.ended && run.results < run.size) run.onResult(run.results++, lost(why));
        run.resolve(run.results);
      }
      thread.runs.clear();
      if (this.closing || this.threads[slot] !== thread) return;
      this.logger?.error({ thread: slot, reason: why }, 'webhook sender thread stopped; starting it again');
      this.threads[slot] = this.start(slot);
    };
    worker.on('error', (err) => gone(`failed: ${err.message}`));
    worker.on('exit', (code) => gone(`exited with code ${code}`));
    return thread;
  }

  private threadOf(key: string): Thread {
    return this.threads[this.threads.length === 1 ? 0 : slotOf(key, this.threads.length)]!;
  }

  send(request: WebhookRequest): Promise<WebhookResponse> {
    if (this.closing) return Promise.resolve(lost('closed'));
    const thread = this.threadOf(request.url);
    const n = this.next++;
    return new Promise((resolve) => {
      thread.sends.set(n, resolve);
      thread.post({ kind: 'send', n, request });
    });
  }

  override startRun(run: RunRequest, onResult: (index: number, response: WebhookResponse) => void): RunHandle {
    if (this.closing) return { stored: () => undefined, stop: () => undefined, done: Promise.resolve(0) };
    const thread = this.threadOf(run.endpointId);
    const n = this.next++;
    const done = new Promise<number>((resolve) => {
      thread.runs.set(n, { onResult, resolve, results: 0, ended: false, size: run.deliveries.length });
      thread.post({ kind: 'run', n, run });
    });
    return {
      stored: (count) => thread.post({ kind: 'stored', n, count }),
      stop: () => thread.post({ kind: 'stop', n }),
      done,
    };
  }

  /** Lets the threads close their sockets and stop (stopped outright after a second). */
  override async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all(
      this.threads.map(async ({ worker }) => {
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.postMessage('close' satisfies SenderThreadMessage);
        const timer = setTimeout(() => void worker.terminate(), 1_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

/** The thread of a key (FNV-1a). */
function slotOf(key: string, threads: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % threads;
}
