import { request as httpRequestRaw, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON (with Content-Type application/json unless given); a string as is. */
  payload?: string | object;
  /** E.g. a keep-alive agent; the default agent otherwise. */
  agent?: Agent;
}

export interface HttpResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * A request over a real socket with full control of headers (Host included) and body. Tests use it
 * rather than Fastify's `inject()`, whose light-my-request loads an ESM-only package through
 * `require()`, which Jest's module loader cannot do on Node 20.
 */
export function httpRequest(baseUrl: string, req: HttpRequest): Promise<HttpResponse> {
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  let body: string | undefined;
  if (typeof req.payload === 'string') body = req.payload;
  else if (req.payload !== undefined) {
    body = JSON.stringify(req.payload);
    headers['content-type'] ??= 'application/json';
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const r = httpRequestRaw(new URL(req.url, baseUrl), { method: req.method, headers, ...(req.agent ? { agent: req.agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}
