import { DomainException } from '@saas/errors';
import type { AuthFailure } from './principal.js';

const DETAIL: Record<AuthFailure | 'missing', string> = {
  missing: 'Authentication is required: send a bearer access token or an API key.',
  invalid_token: 'The access token is not valid.',
  expired_token: 'The access token has expired; refresh it.',
  invalid_api_key: 'The API key is not valid.',
};

/** 401/403 of the gateway's own authentication and authorization. */
export class GatewayAuthException extends DomainException {
  /** The RFC 6750 challenge that goes with a 401. */
  readonly challenge: string;

  private constructor(code: 'UNAUTHORIZED' | 'FORBIDDEN', detail: string, status: number, challenge: string) {
    super(code, detail, { status });
    this.challenge = challenge;
  }

  static unauthorized(reason: AuthFailure | null): GatewayAuthException {
    const challenge = reason ? `Bearer realm="api", error="invalid_token"` : `Bearer realm="api"`;
    return new GatewayAuthException('UNAUTHORIZED', DETAIL[reason ?? 'missing'], 401, challenge);
  }

  static forbidden(roles: readonly string[]): GatewayAuthException {
    return new GatewayAuthException('FORBIDDEN', `This needs the role ${roles.join(' or ')}.`, 403, `Bearer realm="api", error="insufficient_scope"`);
  }
}
