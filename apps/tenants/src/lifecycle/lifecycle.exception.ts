import type { TenantStatus } from '@saas/contracts';
import { DomainException } from '@saas/errors';

export const LifecycleErrorCodes = Object.freeze({ INVALID_TENANT_STATE: 'INVALID_TENANT_STATE' } as const);

/** A change the tenant state machine refuses: 409 with the current and the requested state. */
export class InvalidTenantTransition extends DomainException {
  constructor(from: TenantStatus, to: TenantStatus, why?: string) {
    super(LifecycleErrorCodes.INVALID_TENANT_STATE, why ?? `A tenant that is ${from} cannot become ${to}.`, {
      status: 409,
      extensions: { current_status: from, requested_status: to },
    });
  }
}
