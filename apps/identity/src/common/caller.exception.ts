import { DomainException } from '@saas/errors';

export const CallerErrorCode = Object.freeze({ UNAUTHORIZED: 'UNAUTHORIZED', FORBIDDEN: 'FORBIDDEN' } as const);

/** The caller forwarded by the gateway is not (or no longer) a usable principal, or may not do this. */
export class CallerException extends DomainException {
  static unauthorized(detail = 'Authentication is required.'): CallerException {
    return new CallerException(CallerErrorCode.UNAUTHORIZED, detail, { status: 401 });
  }

  static forbidden(detail = 'You are not allowed to do this.'): CallerException {
    return new CallerException(CallerErrorCode.FORBIDDEN, detail, { status: 403 });
  }
}
