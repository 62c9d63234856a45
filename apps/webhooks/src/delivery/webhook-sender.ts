import type { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import { createGuardedAgents, describeRequestError, type GuardedAgents } from '../ssrf/guarded-agents.js';
import { signedHeaders } from './signing.js';

/** What signs a request (Standard Webhooks): the sender makes the three headers, on whatever thread it runs. */
export interface WebhookSigning {
  /** The endpoint's secrets that sign now (`whsec_…`; two during a rotation's grace period). */
  secrets: string[];
  /** `webhook-id`: the same on every attempt of one message. */
  id: string;
  timestampS: number;
}

export interface WebhookRequest {
  url: string;
  /** The endpoint's own headers; the Standard Webhooks headers (from `signing`) go over them. */
  headers: Record<string, string>;
  body: string;
  /** Absent: `headers` are sent as they are. */
  signing?: WebhookSigning;
}

export interface WebhookResponse {
  /** null when no HTTP answer came (refused address, DNS, connect, timeout). */
  status: number | null;
  /** `Retry-After` as the receiver sent it. */
  retryAfter: string | undefined;
  /** The start of the response body (at most RESPONSE_SNIPPET_BYTES). */
  snippet: string | null;
  latencyMs: number;
  error: string | null;
}

/** How much of a receiver's answer is read and kept: enough to debug, never a memory hazard. */
export const RESPONSE_SNIPPET_BYTES = 4096;

/** A run: deliveries of one endpoint, claimed together, to send one after the other in this order. */
export interface RunRequest {
  endpointId: string;
  url: string;
  /** The endpoint's own headers. */
  headers: Record<string, string>;
  /** Requests per second at most (null: no limit). */
  rateLimit: number | null;
  /** The secrets that sign (`whsec_…`; two during a rotation's grace period). */
  secrets: string[];
  deliveries: Array<{ id: string; eventId: string; body: string }>;
  /** No request but the first starts after this (epoch ms): the run's lease must outlive its requests. */
  startBefore: number;
}

/** A run being sent. */
export interface RunHandle {
  /** `count` of the run's successes are stored: up to RUN_UNSTORED_MAX more may be sent. */
  stored(count: number): void;
  /** Sends nothing more (the request in flight ends first). */
  stop(): void;
  /** How many deliveries were sent (a prefix of the run's), once the run is over. */
  done: Promise<number>;
}

/**
 * A run has at most this many successes sent and not yet stored: what a replica that dies
 * mid-run may send again (same webhook-id).
 */
export const RUN_UNSTORED_MAX = 16;

/**
 * Sends webhook requests. Contract: never throws — every outcome, including a refused address or a
 * timeout, is a WebhookResponse; it does not retry (the worker decides); one call is one POST.
 * `startRun` sends a run in order, one request at a time: each signed when it goes out, each
 * outcome handed to `onResult` as it comes; it stops after the first that does not succeed, when
 * stopped, when the lease would not outlive another request, and waits while RUN_UNSTORED_MAX
 * successes are not stored. Here, on the caller's thread; ThreadedWebhookSender runs the same loop
 * on a sender thread.
 */
export abstract class WebhookSender {
  abstract send(request: WebhookRequest): Promise<WebhookResponse>;

  private readonly lastSentAt = new Map<string, number>();

  startRun(run: RunRequest, onResult: (index: number, response: WebhookResponse) => void): RunHandle {
    let stored = 0;
    let stopped = false;
    let wake: (() => void) | undefined;
    const handle: RunHandle = {
      stored: (count) => {
        stored = Math.max(stored, count);
        wake?.();
      },
      stop: () => {
        stopped = true;
        wake?.();
      },
      done: Promise.resolve(0),
    };
    handle.done = (async () => {
      let sent = 0;
      let succeeded = 0;
      for (const delivery of run.deliveries) {
        while (!stopped && succeeded - stored >= RUN_UNSTORED_MAX) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (stopped || (sent > 0 && Date.now() > run.startBefore)) break;
        if (run.rateLimit) {
          const wait = (this.lastSentAt.get(run.endpointId) ?? 0) + 1000 / run.rateLimit - Date.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          this.lastSentAt.set(run.endpointId, Date.now());
          if (this.lastSentAt.size > 10_000) this.lastSentAt.delete(this.lastSentAt.keys().next().value!);
        }
        const response = await this.send({
          url: run.url,
          headers: run.headers,
          body: delivery.body,
          signing: { secrets: run.secrets, id: delivery.eventId, timestampS: Math.floor(Date.now() / 1000) },
        });
        onResult(sent++, response);
        if (!succeeded2xx(response)) break;
        succeeded++;
      }
      return sent;
    })();
    return handle;
  }

  /** Lets go of sockets (and threads). */
  close(): void | Promise<void> {}
}

/** A 2xx answer. */
export function succeeded2xx(response: WebhookResponse): boolean {
  return response.status !== null && response.status >= 200 && response.status < 300;
}

export interface HttpWebhookSenderOptions {
  timeoutMs: number;
  connectTimeoutMs: number;
  allowPrivateNetworks: boolean;
}

const USER_AGENT = 'saas-control-plane-webhooks/1';
const same = <T>(data: T): T => data;

/** The request's headers: fixed ones, the endpoint's, then the signature's (which nothing overrides). */
export function requestHeaders(request: WebhookRequest, body: string | Buffer): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...request.headers };
  if (request.signing) Object.assign(headers, signedHeaders(request.signing.secrets, request.signing.id, request.signing.timestampS, body));
  return headers;
}

/** The real sender: axios over keep-alive agents, connect and total deadlines, no redirects, capped body read. */
export class HttpWebhookSender extends WebhookSender {
  private readonly http: AxiosInstance;
  private readonly agents: GuardedAgents;

  constructor(private readonly options: HttpWebhookSenderOptions) {
    super();
    this.agents = createGuardedAgents({ connectTimeoutMs: options.connectTimeoutMs, allowPrivateNetworks: options.allowPrivateNetworks, keepAlive: true, maxSockets: 16 });
    this.http = axios.create({
      httpAgent: this.agents.httpAgent,
      httpsAgent: this.agents.httpsAgent,
      // Until the answer's head: axios's own wall-clock timer (with no redirects) and socket idle
      // timeout; the body has the rest of the deadline (readCapped).
      timeout: options.timeoutMs,
      maxRedirects: 0,
      proxy: false,
      responseType: 'stream',
      decompress: true,
      validateStatus: () => true,
      // The body is the stored bytes, sent as they are: axios's default would JSON.parse a JSON
      // string to check it (and copy it into a Buffer) on every request.
      transformRequest: [same],
      transformResponse: [same],
      transitional: { clarifyTimeoutError: true },
    });
  }

  async send(request: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    try {
      const body = Buffer.from(request.body, 'utf8');
      const res = await this.http.post<Readable>(request.url, body, { headers: requestHeaders(request, body) });
      const empty = res.status === 204 || res.status === 304 || res.headers['content-length'] === '0';
      const snippet = await readCapped(res.data, RESPONSE_SNIPPET_BYTES, empty ? null : this.options.timeoutMs - (performance.now() - started));
      const retryAfter = res.headers['retry-after'];
      return { status: res.status, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, snippet, latencyMs: latency(), error: null };
    } catch (err) {
      return { status: null, retryAfter: undefined, snippet: null, latencyMs: latency(), error: describeRequestError(err) };
    }
  }

  override close(): void {
    this.agents.destroy();
  }
}

/**
 * Reads at most `max` bytes of a body, then lets the rest go (the socket is discarded, not
 * drained); gives up on a body still coming after `deadlineMs` (null: an empty body, no deadline
 * needed). Listeners, not an async iterator: it is cheaper per request.
 */
function readCapped(stream: Readable, max: number, deadlineMs: number | null): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (destroy: boolean) => {
      if (timer) clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onEnd);
      stream.off('close', onEnd);
      if (destroy) stream.destroy();
      // A body cut short still tells what it said so far.
      resolve(chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (chunk: Buffer | string) => {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      chunks.push(buf.subarray(0, Math.max(0, max - size)));
      size += buf.length;
      if (size >= max) finish(true);
    };
    const onEnd = () => finish(false);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onEnd);
    stream.on('close', onEnd);
    if (deadlineMs !== null) timer = setTimeout(() => finish(true), Math.max(0, deadlineMs));
  });
}
