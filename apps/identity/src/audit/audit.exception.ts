import { DomainException } from '@saas/errors';

export class AuditException extends DomainException {
  static tenantNotFound(): AuditException {
    return new AuditException('TENANT_NOT_FOUND', 'No tenant with that id.', { status: 404 });
  }

  static tenantRequired(): AuditException {
    return new AuditException('FORBIDDEN', 'Only platform administrators may read the whole audit log; filter by a tenant you own (tenant_id).', { status: 403 });
  }
}
