import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers to one request: a status (and headers, body), or `hang` (never answers). */
export type ReceiverAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A real local HTTP receiver for webhook tests: records every request and answers what the test
 * scripted (default 200). `hang` keeps the request open until the receiver closes.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly script: ReceiverAnswer[] = [];
  private fallback: ReceiverAnswer = { status: 200, body: 'ok' };
  private readonly hanging = new Set<ServerResponse>();
  private server?: Server;
  url = '';
  /** TCP connections accepted so far (a refused address must not even get a handshake). */
  connections = 0;

  /** Answers the next requests in this order, then the fallback. */
  answer(...answers: ReceiverAnswer[]): this {
    this.script.push(...answers);
    return this;
  }

  always(answer: ReceiverAnswer): this {
    this.fallback = answer;
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ at: Date.now(), method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const answer = this.script.shift() ?? this.fallback;
        if (answer === 'hang') {
          this.hanging.add(res);
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...(answer.headers ?? {}) });
        res.end(answer.body ?? '');
      });
    });
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
