import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import type { RateLimitTier } from '../config.js';
import { RateLimitException, writeRateLimitHeaders } from './rate-limit.headers.js';
import type { RateDecision, RateLimitService } from './rate-limit.service.js';
import type { TenantPlanCache } from './tenant-plans.js';

/**
 * Health, metrics and the API docs: not part of any caller's API quota (probes and scrapers must not
 * eat into it, nor be locked out by it), but counted per IP in the generous `infra` tier so they
 * still carry rate-limit headers and cannot be flooded. Credentials are not even looked at there.
 */
export function isInfraRoute(route: string): boolean {
  return route === '/health' || route === '/ready' || route.startsWith('/health/') || route === '/api/health' || route === '/metrics' || route === '/docs' || route.startsWith('/docs/');
}

/** Routes of one tenant (`/api/v1/tenants/:id` and below): its per-tenant quota applies. */
export function isTenantRoute(route: string | undefined): boolean {
  return route !== undefined && (route === '/api/v1/tenants/:id' || route.startsWith('/api/v1/tenants/:id/'));
}

/**
 * The first thing every request goes through after its id: who is it (RequestAuthenticator), and is
 * it within its tier's limits. Runs for every request, unmatched ones too, so 404s count against the
 * caller and carry the headers. The tier comes from the caller: `admin`, the user's plan tier, or
 * `anonymous` keyed by client IP (TRUST_PROXY decides whether that is X-Forwarded-For).
 */
export function registerRequestLimits(fastify: FastifyInstance, authenticator: RequestAuthenticator, limits: RateLimitService, tenantPlans?: TenantPlanCache): void {
  fastify.decorateRequest('principal', null);
  fastify.decorateRequest('authFailure', null);
  // Callback style, not async: on the hot path (cached credential) the only promise is the limiter's.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const answer = (decision: RateDecision, scope: 'user' | 'tenant') => {
      writeRateLimitHeaders(reply, decision);
      void reply.header('x-ratelimit-scope', scope);
      done(decision.allowed ? undefined : RateLimitException.exceeded(decision, scope === 'tenant' ? "requests to this tenant (all its users together)" : 'requests'));
    };
    const count = (tier: RateLimitTier, key: string) =>
      limits.consume(tier, key).then((decision) => {
        const tenantId = decision.allowed && tenantPlans && isTenantRoute(request.routeOptions.url) ? (request.params as { id?: string }).id : undefined;
        if (!tenantId) return answer(decision, 'user');
        // Tenant-scoped: the tenant's quota (from its plan) applies too; the headers name the tighter one.
        return Promise.resolve(tenantPlans!.planOf(tenantId))
          .then((plan) => (plan ? limits.consumeTenant(plan, tenantId.toLowerCase()) : null))
          .then((tenant) => (tenant && (!tenant.allowed || tenant.remaining < decision.remaining) ? answer(tenant, 'tenant') : answer(decision, 'user')));
      }).catch(done);
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
