import { DomainException } from '@saas/errors';
import { IdentityErrorCodes } from '@saas/contracts';

/**
 * Errors of registration, login, tokens and password reset. The messages never say whether an
 * account exists.
 */
export class AuthException extends DomainException {
  static invalidCredentials(): AuthException {
    return new AuthException(IdentityErrorCodes.INVALID_CREDENTIALS, 'The email/username or password is not correct.', { status: 401 });
  }

  /** 429 + `retry_after` (seconds): the gateway turns it into a Retry-After header. */
  static accountLocked(retryAfterS: number): AuthException {
    return new AuthException(IdentityErrorCodes.ACCOUNT_LOCKED, `Too many failed sign-ins. Try again in ${retryAfterS} seconds, or reset your password.`, {
      status: 429,
      extensions: { retry_after: retryAfterS },
    });
  }

  static invalidToken(what = 'token'): AuthException {
    return new AuthException(IdentityErrorCodes.INVALID_TOKEN, `The ${what} is invalid, expired or already used.`, { status: 401 });
  }
}
