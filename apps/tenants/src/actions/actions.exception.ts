import { DomainException } from '@saas/errors';

export const ActionsErrorCodes = Object.freeze({ FORBIDDEN: 'FORBIDDEN' } as const);

export class ActionsException extends DomainException {
  static forceDeleteAdminsOnly(): ActionsException {
    return new ActionsException(ActionsErrorCodes.FORBIDDEN, 'Only platform admins may force a deletion.', { status: 403 });
  }

  static forceDeleteNeedsReason(): DomainException {
    return DomainException.validation([{ field: 'reason', message: 'force_delete needs a reason (it deletes the tenant without a final backup)' }]);
  }
}
