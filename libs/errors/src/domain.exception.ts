import { DEFAULT_STATUS, type ErrorCode, TITLES } from './error-codes.js';

export interface FieldError {
  field: string;
  message: string;
}

export interface DomainExceptionOptions {
  status?: number;
  errors?: FieldError[];
  /** Extra members of the problem document (e.g. `retry_after`); never secrets. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * An error a client can act on. Carries a stable code and an HTTP status; crosses NATS intact
 * (see rpc-error.ts) so the gateway answers with the status and code the owning service chose.
 * Each feature subclasses it in its own `<feature>.exception.ts`.
 */
export class DomainException extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors?: FieldError[];
  readonly extensions?: Record<string, unknown>;

  constructor(code: ErrorCode, detail: string, options: DomainExceptionOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? DEFAULT_STATUS[code] ?? 400;
    if (options.errors) this.errors = options.errors;
    if (options.extensions) this.extensions = options.extensions;
  }

  get title(): string {
    return TITLES[this.status] ?? 'Error';
  }

  static validation(errors: FieldError[], detail = 'The request is not valid.'): DomainException {
    return new DomainException('VALIDATION_FAILED', detail, { status: 400, errors });
  }

  static notFound(code: ErrorCode, detail: string): DomainException {
    return new DomainException(code, detail, { status: 404 });
  }
}
