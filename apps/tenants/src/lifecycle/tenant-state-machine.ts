import type { TenantStatus } from '@saas/contracts';
import { InvalidTenantTransition } from './lifecycle.exception.js';

/**
 * The tenant lifecycle (ARCHITECTURE § The tenant lifecycle):
 *
 *   pending → provisioning → active ⇄ suspended
 *                              active ⇄ stopped
 *   active | stopped | error → restoring → active (restored, or rolled back) | error (rollback failed)
 *   (any working state) → error (with the reason; retryable: error → provisioning)
 *   active | suspended | stopped | error | pending → deleting → deleted  (never while restoring)
 *
 * Every change goes through `assertTransition`, so an illegal one is refused, never applied.
 */
const TRANSITIONS: Readonly<Record<TenantStatus, readonly TenantStatus[]>> = Object.freeze({
  pending: ['provisioning', 'error', 'deleting'],
  provisioning: ['active', 'error', 'deleting'],
  active: ['suspended', 'stopped', 'provisioning', 'restoring', 'error', 'deleting'],
  suspended: ['active', 'error', 'deleting'],
  stopped: ['active', 'restoring', 'error', 'deleting'],
  restoring: ['active', 'error'],
  error: ['provisioning', 'active', 'stopped', 'restoring', 'deleting'],
  deleting: ['deleted', 'error'],
  deleted: [],
});

export function canTransition(from: TenantStatus, to: TenantStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: TenantStatus, to: TenantStatus): void {
  if (!canTransition(from, to)) throw new InvalidTenantTransition(from, to);
}

/** States in which the tenant's instance is expected to be serving. */
export function isLive(status: TenantStatus): boolean {
  return status === 'active';
}

/** States that still count against an owner's tenant limit. */
export function countsTowardsLimit(status: TenantStatus): boolean {
  return status !== 'deleted' && status !== 'deleting';
}
