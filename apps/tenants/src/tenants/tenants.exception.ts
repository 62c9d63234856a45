import { DomainException } from '@saas/errors';

/** The tenants feature's error codes (API.md names TENANT_NOT_FOUND, INVALID_SUBDOMAIN, TENANT_LIMIT_EXCEEDED). */
export const TenantsErrorCodes = Object.freeze({
  TENANT_NOT_FOUND: 'TENANT_NOT_FOUND',
  INVALID_SUBDOMAIN: 'INVALID_SUBDOMAIN',
  TENANT_LIMIT_EXCEEDED: 'TENANT_LIMIT_EXCEEDED',
  PLAN_MANAGED_BY_BILLING: 'PLAN_MANAGED_BY_BILLING',
  INVALID_TENANT_STATE: 'INVALID_TENANT_STATE',
  FORBIDDEN: 'FORBIDDEN',
} as const);

export class TenantsException extends DomainException {
  /** Also the answer for a tenant the caller is no member of, so tenant ids cannot be probed. */
  static tenantNotFound(): TenantsException {
    return new TenantsException(TenantsErrorCodes.TENANT_NOT_FOUND, 'No tenant with that id.', { status: 404 });
  }

  /** A member whose role is too low (or a credential that may not do this). */
  static forbidden(detail = 'Your role in this tenant does not allow that.'): TenantsException {
    return new TenantsException(TenantsErrorCodes.FORBIDDEN, detail, { status: 403 });
  }

  static onlyUsersCreate(): TenantsException {
    return TenantsException.forbidden('Only users create tenants.');
  }

  static invalidSubdomain(detail: string): TenantsException {
    return new TenantsException(TenantsErrorCodes.INVALID_SUBDOMAIN, detail, { status: 400, errors: [{ field: 'subdomain', message: detail }] });
  }

  static subdomainTaken(slug: string): TenantsException {
    return TenantsException.invalidSubdomain(`The subdomain "${slug}" is already taken.`);
  }

  static limitExceeded(limit: number, tier: string): TenantsException {
    return new TenantsException(TenantsErrorCodes.TENANT_LIMIT_EXCEEDED, `The ${tier} plan allows ${limit} tenant(s) per owner; delete one or upgrade.`, {
      status: 400,
      extensions: { limit, tier },
    });
  }

  /** A tenant's plan is its subscription's: it changes through billing (upgrade, downgrade), never by hand here. */
  static planManagedByBilling(): TenantsException {
    return new TenantsException(
      TenantsErrorCodes.PLAN_MANAGED_BY_BILLING,
      "A tenant's plan is its subscription's: change it with PUT billing/subscriptions/{id} (a preview shows the amount first).",
      { status: 409 },
    );
  }

  /** A deleting or deleted tenant's fields no longer change. */
  static notChangeable(status: string): TenantsException {
    return new TenantsException(TenantsErrorCodes.INVALID_TENANT_STATE, `A ${status} tenant cannot be changed.`, { status: 409 });
  }

  static resizeNeedsRunningTenant(status: string): TenantsException {
    return new TenantsException(
      TenantsErrorCodes.INVALID_TENANT_STATE,
      `Plan and database strategy can change only while the tenant is active or stopped (it is ${status}).`,
      { status: 409 },
    );
  }

  static invalidDate(field: string): DomainException {
    return DomainException.validation([{ field, message: `${field} must be an ISO 8601 date` }]);
  }
}
