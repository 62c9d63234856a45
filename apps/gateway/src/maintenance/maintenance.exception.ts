import { DomainException, ErrorCodes } from '@saas/errors';

export class MaintenanceException extends DomainException {
  /** 503 with `Retry-After`: the platform is under maintenance; health, admin and sign-in routes still work. */
  static active(message: string | null, retryAfterS: number): MaintenanceException {
    return new MaintenanceException(ErrorCodes.MAINTENANCE_MODE, message ?? 'The platform is under maintenance. Please retry later.', {
      status: 503,
      extensions: { retry_after: retryAfterS },
    });
  }

  static endInPast(): DomainException {
    return DomainException.validation([{ field: 'ends_at', message: 'ends_at must be in the future' }]);
  }
}
