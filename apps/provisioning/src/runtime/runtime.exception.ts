import { DomainException } from '@saas/errors';

export const RuntimeErrorCode = Object.freeze({
  INSTANCE_NOT_FOUND: 'INSTANCE_NOT_FOUND',
  PROVISIONING_FAILED: 'PROVISIONING_FAILED',
} as const);

export type RuntimeFailureReason = 'timeout' | 'crashed' | 'unhealthy' | 'api_error' | 'deleting' | 'invalid_spec';

/**
 * A runtime operation that did not reach its goal. `retryable` tells the saga whether running the
 * same step again can succeed (a timeout or an API error can; an invalid spec cannot).
 */
export class TenantRuntimeException extends DomainException {
  constructor(
    detail: string,
    readonly reason: RuntimeFailureReason,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(RuntimeErrorCode.PROVISIONING_FAILED, detail, {
      status: reason === 'invalid_spec' ? 400 : 500,
      extensions: { reason, retryable: options.retryable ?? reason !== 'invalid_spec' },
      cause: options.cause,
    });
  }

  get retryable(): boolean {
    return this.extensions?.retryable === true;
  }

  static instanceNotFound(tenantId: string): DomainException {
    return DomainException.notFound(RuntimeErrorCode.INSTANCE_NOT_FOUND, `No instance for tenant ${tenantId}.`);
  }
}
