import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The Swagger UI at /docs is the gateway's only HTML: it gets helmet's full set, with a CSP that
 * allows its own scripts, inline styles and data: images.
 */
export const DOCS_HELMET_OPTIONS: Readonly<HelmetOptions> = Object.freeze({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
    },
  },
});

/**
 * JSON API responses get the headers that protect an API (OWASP REST Security Cheat Sheet: CSP
 * `default-src 'none'; frame-ancestors 'none'`, nosniff, X-Frame-Options, HSTS) plus CORP, which
 * keeps other origins from loading the JSON as a no-cors resource. helmet's document-only headers
 * (X-XSS-Protection, X-Download-Options, X-DNS-Prefetch-Control, X-Permitted-Cross-Domain-Policies,
 * Origin-Agent-Cluster, COOP, Referrer-Policy) do nothing for a JSON body and cost every response
 * bytes and header processing (docs/benchmarks.md).
 */
export const API_HELMET_OPTIONS: Readonly<HelmetOptions> = Object.freeze({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
});

/**
 * The headers helmet sets for these options, computed once. Helmet's middleware (and @fastify/helmet,
 * which builds a new helmet middleware on every request) re-derives the same constant strings per
 * request; with no per-request input (no CSP nonces) they never change.
 */
export function securityHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  } as unknown as ServerResponse;
  helmet(options)({} as IncomingMessage, res, () => undefined);
  return Object.freeze(headers);
}

function entries(headers: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries(headers);
}

/** Sets the security headers on every response (errors and 404s included): the docs' set under /docs. */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  const api = entries(securityHeaders(API_HELMET_OPTIONS));
  const docs = entries(securityHeaders(DOCS_HELMET_OPTIONS));
  fastify.addHook('onRequest', (request, reply, done) => {
    const set = request.url.startsWith('/docs') ? docs : api;
    for (let i = 0; i < set.length; i++) reply.header(set[i]![0], set[i]![1]);
    done();
  });
}
