import { DomainException } from '@saas/errors';
import { IdentityErrorCodes } from '@saas/contracts';

export class ApiKeysException extends DomainException {
  static keyNotFound(): ApiKeysException {
    return new ApiKeysException(IdentityErrorCodes.API_KEY_NOT_FOUND, 'No API key with that id.', { status: 404 });
  }

  /** One answer for malformed, unknown, wrong, revoked, expired keys and deactivated owners. */
  static invalid(): ApiKeysException {
    return new ApiKeysException('UNAUTHORIZED', 'The API key is not valid.', { status: 401 });
  }

  static tenantNotFound(): ApiKeysException {
    return new ApiKeysException('TENANT_NOT_FOUND', 'No tenant with that id.', { status: 404 });
  }
}
