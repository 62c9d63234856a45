import { DomainException } from '@saas/errors';

/** Error codes of security threats and blocks. */
export const SecurityErrorCodes = Object.freeze({
  /** 404: no block in force for that target. */
  BLOCK_NOT_FOUND: 'BLOCK_NOT_FOUND',
  /** 409: the target is blocked already. */
  ALREADY_BLOCKED: 'ALREADY_BLOCKED',
});

export class SecurityException extends DomainException {
  static invalidTarget(message: string): DomainException {
    return DomainException.validation([{ field: 'target', message }]);
  }

  static reasonRequired(): DomainException {
    return DomainException.validation([{ field: 'reason', message: 'a reason is required to block' }]);
  }

  static expiresInPast(): DomainException {
    return DomainException.validation([{ field: 'expires_at', message: 'expires_at must be in the future' }]);
  }

  static blockNotFound(): SecurityException {
    return new SecurityException(SecurityErrorCodes.BLOCK_NOT_FOUND, 'Nothing is blocked under that target.', { status: 404 });
  }

  static alreadyBlocked(): SecurityException {
    return new SecurityException(SecurityErrorCodes.ALREADY_BLOCKED, 'That target is blocked already; unblock it first to change the block.', { status: 409 });
  }
}
