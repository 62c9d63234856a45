import { DomainException } from '@saas/errors';
import { IntegrationsErrorCodes } from '@saas/contracts';

export class IntegrationsException extends DomainException {
  static providerNotFound(): IntegrationsException {
    return new IntegrationsException(IntegrationsErrorCodes.INTEGRATION_PROVIDER_NOT_FOUND, 'No integration provider with that id or name.', { status: 404 });
  }

  static eventNotFound(): IntegrationsException {
    return new IntegrationsException(IntegrationsErrorCodes.INTEGRATION_EVENT_NOT_FOUND, 'No integration event with that id.', { status: 404 });
  }

  /** One answer for every signature problem: the caller learns nothing about which check failed. */
  static invalidSignature(): IntegrationsException {
    return new IntegrationsException(IntegrationsErrorCodes.INVALID_SIGNATURE, 'The webhook signature is missing, wrong or too old.', { status: 401 });
  }

  static ipNotAllowed(): IntegrationsException {
    return new IntegrationsException(IntegrationsErrorCodes.SOURCE_IP_NOT_ALLOWED, 'Webhooks of this provider are not accepted from this address.', { status: 403 });
  }

  static rateLimited(retryAfterS: number): IntegrationsException {
    return new IntegrationsException('RATE_LIMIT_EXCEEDED', 'Too many webhooks from this provider; try again later.', { status: 429, extensions: { retry_after: retryAfterS } });
  }

  static conflict(): IntegrationsException {
    return new IntegrationsException(IntegrationsErrorCodes.INTEGRATION_PROVIDER_CONFLICT, 'A provider with that name exists.', { status: 409 });
  }

  static invalidUrl(field: string, detail: string): IntegrationsException {
    return new IntegrationsException(IntegrationsErrorCodes.INVALID_PROVIDER_URL, detail, { status: 400, errors: [{ field, message: detail }] });
  }

  static adminsOnly(): IntegrationsException {
    return new IntegrationsException('FORBIDDEN', 'Integrations are managed by platform admins.', { status: 403 });
  }
}
