import { randomUUID } from 'node:crypto';
import type { CallerDto } from '@saas/contracts';

/**
 * Callers as the gateway forwards them, for specs that call a service's RPCs directly (issue 8's test
 * builders): one place that knows the shape, instead of an object literal in every spec.
 */
export function userCaller(options: { id?: string; tier?: string; roles?: string[]; tenantId?: string } = {}): CallerDto {
  return {
    actor: { type: 'user', id: options.id ?? randomUUID() },
    roles: options.roles ?? ['user'],
    ...(options.tier ? { tier: options.tier } : {}),
    ...(options.tenantId ? { tenant_id: options.tenantId } : {}),
  };
}

/** A platform admin (who is a user too). */
export function adminCaller(options: { id?: string } = {}): CallerDto {
  return userCaller({ id: options.id, roles: ['admin', 'user'] });
}

/** Another service of the platform acting for the platform, as its own callers say (`billing` moving a tenant's plan). */
export function serviceCaller(service: string): CallerDto {
  return { actor: { type: 'service', id: service }, roles: ['admin'] };
}
