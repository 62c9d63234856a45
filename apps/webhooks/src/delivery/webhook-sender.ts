import type { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import { createGuardedAgents, describeRequestError, type GuardedAgents } from '../ssrf/guarded-agents.js';

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
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

/**
 * Sends one webhook request. Contract: never throws — every outcome, including a refused address or
 * a timeout, is a WebhookResponse; it does not retry (the worker decides); one call is one POST.
 */
export abstract class WebhookSender {
  abstract send(request: WebhookRequest): Promise<WebhookResponse>;
}

export interface HttpWebhookSenderOptions {
  timeoutMs: number;
  connectTimeoutMs: number;
  allowPrivateNetworks: boolean;
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
      timeout: options.timeoutMs,
      maxRedirects: 0,
      proxy: false,
      responseType: 'stream',
      decompress: true,
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
    });
  }

  async send(request: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const res = await this.http.post<Readable>(request.url, request.body, {
        headers: { 'content-type': 'application/json', 'user-agent': 'saas-control-plane-webhooks/1', ...request.headers },
        signal,
      });
      const snippet = await readCapped(res.data, RESPONSE_SNIPPET_BYTES, signal);
      const retryAfter = res.headers['retry-after'];
      return { status: res.status, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, snippet, latencyMs: latency(), error: null };
    } catch (err) {
      return { status: null, retryAfter: undefined, snippet: null, latencyMs: latency(), error: describeRequestError(err) };
    }
  }

  close(): void {
    this.agents.destroy();
  }
}

/** Reads at most `max` bytes of a body, then lets the rest go (the socket is discarded, not drained). */
async function readCapped(stream: Readable, max: number, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      if (signal.aborted) break;
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      chunks.push(buf.subarray(0, Math.max(0, max - size)));
      size += buf.length;
      if (size >= max) break;
    }
  } catch {
    // A body cut short still tells what it said so far.
  } finally {
    if (size >= max || signal.aborted) stream.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}
