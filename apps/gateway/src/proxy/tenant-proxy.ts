import { request as httpRequest } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ProvisioningRpc } from '@saas/contracts';
import { DomainException, PROBLEM_CONTENT_TYPE, toProblem } from '@saas/errors';
import type { RpcClient } from '@saas/messaging';

export interface TenantProxyOptions {
  /** Hosts whose first label is a tenant slug: `<slug>.<suffix>` (e.g. `localhost`, `tenants.example.com`). */
  hostSuffixes: string[];
  /** How long a resolved upstream is reused (a stopped instance is noticed after at most this). */
  cacheMs?: number;
}

type Upstream = { host: string; port: number } | null;

const SLUG = /^[a-z0-9]([a-z0-9-]{1,61}[a-z0-9])$/;
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** The tenant slug a Host header names, or null for the platform's own hosts. */
export function tenantSlugOf(hostHeader: string | undefined, suffixes: string[]): string | null {
  if (!hostHeader) return null;
  const host = hostHeader.toLowerCase().replace(/:\d+$/, '');
  for (const suffix of suffixes) {
    if (!host.endsWith(`.${suffix}`)) continue;
    const label = host.slice(0, -(suffix.length + 1));
    return SLUG.test(label) ? label : null;
  }
  return null;
}

/**
 * The host-based proxy to tenants' apps (`http://<slug>.localhost:<gateway port>`): a Fastify hook
 * that runs before everything else, asks the provisioning service where the tenant's instance
 * listens (briefly cached), and streams the request and the answer through. API traffic (any other
 * host) is untouched.
 */
export function registerTenantProxy(fastify: FastifyInstance, rpc: RpcClient, logger: Logger, options: TenantProxyOptions): void {
  const cacheMs = options.cacheMs ?? 2_000;
  const cache = new Map<string, { upstream: Upstream; until: number }>();

  const resolve = async (slug: string): Promise<Upstream> => {
    const hit = cache.get(slug);
    if (hit && hit.until > Date.now()) return hit.upstream;
    const { upstream } = await rpc.call(ProvisioningRpc.instanceRoute, { slug }, { timeoutMs: 2_000 });
    cache.set(slug, { upstream, until: Date.now() + cacheMs });
    return upstream;
  };

  const problem = (request: FastifyRequest, reply: FastifyReply, error: DomainException) => {
    return reply
      .code(error.status)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      // request.id is the validated X-Request-Id (or a generated one): see genReqId.
      .send(toProblem(error, { instance: request.url, correlationId: request.id }));
  };

  // Callback-style, so that API traffic (no tenant host) costs no promise on the hot path.
  fastify.addHook('onRequest', (request, reply, done) => {
    const slug = tenantSlugOf(request.headers.host, options.hostSuffixes);
    if (!slug) return done();
    proxy(request, reply, slug).then(
      () => {
        // Answered (a problem) or hijacked (streaming to the tenant): the API pipeline must not run.
        if (!reply.sent) done();
      },
      (err: Error) => done(err),
    );
  });

  const proxy = async (request: FastifyRequest, reply: FastifyReply, slug: string): Promise<void> => {
    let upstream: Upstream;
    try {
      upstream = await resolve(slug);
    } catch (err) {
      if (err instanceof DomainException) return void problem(request, reply, err);
      throw err;
    }
    if (!upstream) {
      return void problem(request, reply, new DomainException('TENANT_UNAVAILABLE', `No running instance answers for "${slug}".`, { status: 503 }));
    }
    reply.hijack();
    const headers = { ...request.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    headers['x-forwarded-host'] = request.headers.host;
    headers['x-forwarded-proto'] = request.protocol;
    headers['x-forwarded-for'] = [request.headers['x-forwarded-for'], request.ip].filter(Boolean).join(', ');
    const upstreamReq = httpRequest({ host: upstream.host, port: upstream.port, method: request.method, path: request.raw.url, headers });
    upstreamReq.on('response', (res) => {
      const out = { ...res.headers };
      for (const h of HOP_BY_HOP) delete out[h];
      reply.raw.writeHead(res.statusCode ?? 502, out);
      res.pipe(reply.raw);
    });
    upstreamReq.on('error', (err) => {
      cache.delete(slug);
      logger.warn({ err, slug }, 'tenant instance did not answer the proxy');
      if (!reply.raw.headersSent) {
        const doc = toProblem(new DomainException('TENANT_UNAVAILABLE', `The instance of "${slug}" did not answer.`, { status: 502 }), {
          instance: request.url,
          correlationId: request.id,
        });
        reply.raw.writeHead(502, { 'content-type': PROBLEM_CONTENT_TYPE });
        reply.raw.end(JSON.stringify(doc));
      } else reply.raw.destroy();
    });
    request.raw.pipe(upstreamReq);
  };
}
