import { DomainException } from '@saas/errors';

export const AdminErrorCodes = Object.freeze({ FORBIDDEN: 'FORBIDDEN' } as const);

export class AdminException extends DomainException {
  static platformAdminsOnly(): AdminException {
    return new AdminException(AdminErrorCodes.FORBIDDEN, 'Platform admins only.', { status: 403 });
  }
}
