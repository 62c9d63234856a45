import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import type { RateLimitTier } from '../config.js';
import { RateLimitException, writeRateLimitHeaders } from './rate-limit.headers.js';
import type { RateLimitService } from './rate-limit.service.js';

/**
 * Health, metrics and the API docs: not part of any caller's API quota (probes and scrapers must not
 * eat into it, nor be locked out by it), but counted per IP in the generous `infra` tier so they
 * still carry rate-limit headers and cannot be flooded. Credentials are not even looked at there.
 */
export function isInfraRoute(route: string): boolean {
  return route === '/health' || route === '/ready' || route.startsWith('/health/') || route === '/api/health' || route === '/metrics' || route === '/docs' || route.startsWith('/docs/');
}

/**
 * The first thing every request goes through after its id: who is it (RequestAuthenticator), and is
 * it within its tier's limits. Runs for every request, unmatched ones too, so 404s count against the
 * caller and carry the headers. The tier comes from the caller: `admin`, the user's plan tier, or
 * `anonymous` keyed by client IP (TRUST_PROXY decides whether that is X-Forwarded-For).
 */
export function registerRequestLimits(fastify: FastifyInstance, authenticator: RequestAuthenticator, limits: RateLimitService): void {
  fastify.decorateRequest('principal', null);
  fastify.decorateRequest('authFailure', null);
  // Callback style, not async: on the hot path (cached credential) the only promise is the limiter's.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const count = (tier: RateLimitTier, key: string) =>
      limits.consume(tier, key).then((decision) => {
        writeRateLimitHeaders(reply, decision);
        done(decision.allowed ? undefined : RateLimitException.exceeded(decision));
      }, done);
    const route = request.routeOptions.url;
    if (route !== undefined && isInfraRoute(route)) return void count('infra', request.ip);
    const countCaller = () => {
      const principal = request.principal;
      return principal ? count(principal.tier, principal.userId) : count('anonymous', request.ip);
    };
    const pending = authenticator.authenticate(request);
    if (pending) void pending.then(countCaller, done);
    else void countCaller();
  });
}
