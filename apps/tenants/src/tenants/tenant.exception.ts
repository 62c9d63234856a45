import { DomainException } from '@saas/errors';

export class TenantNotFoundException extends DomainException {
  constructor() {
    super('TENANT_NOT_FOUND', 'No tenant with that id.', { status: 404 });
  }
}

export class InvalidSubdomainException extends DomainException {
  constructor(detail: string) {
    super('INVALID_SUBDOMAIN', detail, { status: 400, errors: [{ field: 'subdomain', message: detail }] });
  }
}

export class TenantLimitExceededException extends DomainException {
  constructor(limit: number, tier: string) {
    super('TENANT_LIMIT_EXCEEDED', `The ${tier} plan allows ${limit} tenant(s) per owner; delete one or upgrade.`, {
      status: 400,
      extensions: { limit, tier },
    });
  }
}

/** A tenant's plan is its subscription's: it changes through billing (upgrade, downgrade), never by hand here. */
export class PlanManagedByBillingException extends DomainException {
  constructor() {
    super('PLAN_MANAGED_BY_BILLING', "A tenant's plan is its subscription's: change it with PUT billing/subscriptions/{id} (a preview shows the amount first).", {
      status: 409,
    });
  }
}

export class OperationInProgressException extends DomainException {
  constructor(operation: { id: string; kind: string }) {
    super('OPERATION_IN_PROGRESS', `The tenant is busy with a ${operation.kind} operation; try again when it finishes.`, {
      status: 409,
      extensions: { operation_id: operation.id, operation: operation.kind },
    });
  }
}

export class TenantForbiddenException extends DomainException {
  constructor(detail = 'Your role in this tenant does not allow that.') {
    super('FORBIDDEN', detail, { status: 403 });
  }
}
