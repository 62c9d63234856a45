import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isInfraRoute } from '../rate-limit/request-limits.hook.js';
import { MaintenanceException } from './maintenance.exception.js';
import type { MaintenanceStore } from './maintenance.store.js';

/** What `Retry-After` says when the maintenance has no end time. */
const DEFAULT_RETRY_AFTER_S = 300;

/** Routes that keep working in maintenance: health and docs, the admin API, and what an admin needs to sign in. */
export function worksInMaintenance(route: string | undefined): boolean {
  if (route === undefined) return false;
  return (
    isInfraRoute(route) ||
    route.startsWith('/api/v1/admin/') ||
    route.startsWith('/.well-known/') ||
    route === '/api/v1/auth/login' ||
    route === '/api/v1/auth/refresh' ||
    route === '/api/v1/auth/session'
  );
}

/**
 * In maintenance mode every other API request answers 503 MAINTENANCE_MODE with `Retry-After`.
 * Registered after the tenant proxy and the limits, so tenants' apps keep serving and the 503s are
 * still counted and carry the rate-limit headers.
 */
export function registerMaintenanceGate(fastify: FastifyInstance, store: MaintenanceStore): void {
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const now = Date.now();
    const state = store.current(now);
    if (!state.enabled || worksInMaintenance(request.routeOptions.url)) return done();
    const retryAfter = state.ends_at ? Math.max(1, Math.ceil((Date.parse(state.ends_at) - now) / 1000)) : DEFAULT_RETRY_AFTER_S;
    void reply.header('retry-after', retryAfter);
    done(MaintenanceException.active(state.message, retryAfter));
  });
}
