import { DomainException } from '@saas/errors';

export const MembersErrorCodes = Object.freeze({
  MEMBER_NOT_FOUND: 'MEMBER_NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INVALID_TENANT_STATE: 'INVALID_TENANT_STATE',
} as const);

export class MembersException extends DomainException {
  static memberNotFound(): MembersException {
    return new MembersException(MembersErrorCodes.MEMBER_NOT_FOUND, 'That user is not a member of this tenant.', { status: 404 });
  }

  static ownerAlreadyMember(): MembersException {
    return new MembersException(MembersErrorCodes.CONFLICT, 'The owner is already a member; ownership does not change here.', { status: 409 });
  }

  static ownerCannotBeRemoved(): MembersException {
    return new MembersException(MembersErrorCodes.CONFLICT, 'The owner cannot be removed from their tenant.', { status: 409 });
  }

  static tenantGone(): MembersException {
    return new MembersException(MembersErrorCodes.INVALID_TENANT_STATE, 'Members of a deleted tenant cannot change.', { status: 409 });
  }

  static invalidOrdering(field: string, allowed: string[]): DomainException {
    return DomainException.validation([{ field: 'ordering', message: `cannot order by "${field}"; allowed: ${allowed.join(', ')}` }]);
  }
}
