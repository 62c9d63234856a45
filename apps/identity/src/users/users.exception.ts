import { DomainException } from '@saas/errors';
import { IdentityErrorCodes } from '@saas/contracts';

export class UsersException extends DomainException {
  /** Also the answer for users the caller may not see, so ids cannot be probed. */
  static userNotFound(): UsersException {
    return new UsersException(IdentityErrorCodes.USER_NOT_FOUND, 'No user with that id.', { status: 404 });
  }

  static conflict(field: 'email' | 'username'): UsersException {
    return new UsersException(IdentityErrorCodes.USER_CONFLICT, `That ${field} is already taken.`, {
      status: 409,
      errors: [{ field, message: `${field} is already taken` }],
    });
  }

  static forbidden(detail: string): UsersException {
    return new UsersException('FORBIDDEN', detail, { status: 403 });
  }
}
