/**
 * Stable, upper-case error codes of the public API (API.md § Conventions). Clients switch on these:
 * never rename one; add new ones.
 */
export const ErrorCodes = Object.freeze({
  BAD_REQUEST: 'BAD_REQUEST',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  MALFORMED_JSON: 'MALFORMED_JSON',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  CONFLICT: 'CONFLICT',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_KEY_IN_PROGRESS: 'IDEMPOTENCY_KEY_IN_PROGRESS',
  RATE_LIMIT_EXCEEDED: 'RATE_LIMIT_EXCEEDED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  SERVICE_TIMEOUT: 'SERVICE_TIMEOUT',
  MAINTENANCE_MODE: 'MAINTENANCE_MODE',
  /** 403: the caller's address or API key is blocked by the operator (security/threats). */
  ACCESS_BLOCKED: 'ACCESS_BLOCKED',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  DEAD_LETTER_NOT_FOUND: 'DEAD_LETTER_NOT_FOUND',
  // Domain codes named by API.md; owned by their services, listed here so the catalogue is one place.
  TENANT_NOT_FOUND: 'TENANT_NOT_FOUND',
  INVALID_SUBDOMAIN: 'INVALID_SUBDOMAIN',
  TENANT_LIMIT_EXCEEDED: 'TENANT_LIMIT_EXCEEDED',
  BILLING_ERROR: 'BILLING_ERROR',
  PROVISIONING_FAILED: 'PROVISIONING_FAILED',
  BACKUP_FAILED: 'BACKUP_FAILED',
} as const);
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes] | (string & {});

/** Default HTTP status of each generic code; domain exceptions state their own. */
export const DEFAULT_STATUS: Readonly<Record<string, number>> = Object.freeze({
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_PROGRESS: 409,
  RATE_LIMIT_EXCEEDED: 429,
  SERVICE_UNAVAILABLE: 503,
  SERVICE_TIMEOUT: 504,
  MAINTENANCE_MODE: 503,
  INTERNAL_ERROR: 500,
  DEAD_LETTER_NOT_FOUND: 404,
  TENANT_NOT_FOUND: 404,
  INVALID_SUBDOMAIN: 400,
  TENANT_LIMIT_EXCEEDED: 400,
  BILLING_ERROR: 402,
  PROVISIONING_FAILED: 500,
  BACKUP_FAILED: 500,
});

export const TITLES: Readonly<Record<number, string>> = Object.freeze({
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
});
