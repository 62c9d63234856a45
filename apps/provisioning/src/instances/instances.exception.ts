import { DomainException } from '@saas/errors';

export const InstancesErrorCodes = Object.freeze({
  INSTANCE_NOT_FOUND: 'INSTANCE_NOT_FOUND',
  VOLUME_NOT_ARCHIVABLE: 'VOLUME_NOT_ARCHIVABLE',
} as const);

export class InstancesException extends DomainException {
  /** `GET tenants/{id}/instance` of a tenant not (or no longer) provisioned. */
  static instanceNotFound(detail = 'This tenant has no instance (yet, or any more).'): InstancesException {
    return new InstancesException(InstancesErrorCodes.INSTANCE_NOT_FOUND, detail, { status: 404 });
  }

  /** Metrics and logs of a tenant without an instance. */
  static noInstance(): InstancesException {
    return InstancesException.instanceNotFound('This tenant has no instance.');
  }

  /** What backups asks of a tenant that has neither database nor instance. */
  static noTenantData(): InstancesException {
    return InstancesException.instanceNotFound('This tenant has no database or instance (yet, or any more).');
  }

  static volumeNotArchivable(runtime: string): InstancesException {
    return new InstancesException(InstancesErrorCodes.VOLUME_NOT_ARCHIVABLE, `The ${runtime} runtime keeps no volume of a tenant's.`, { status: 409 });
  }

  /** `rpc.provisioning.instances.stats` from a caller who is not a platform admin. */
  static adminsOnly(): InstancesException {
    return new InstancesException('FORBIDDEN', 'Only platform admins see the platform\'s instance totals.', { status: 403 });
  }

  static invalidRange(): DomainException {
    return DomainException.validation([{ field: 'from', message: 'from must be before to' }]);
  }
}
