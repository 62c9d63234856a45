import { HttpException } from '@nestjs/common';
import { DomainException, type ErrorCode } from '@saas/errors';

/** Codes of the client errors HTTP itself produces (Nest's HttpExceptions, Fastify's errors). */
const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMIT_EXCEEDED',
};

export interface MappingContext {
  /** No route matched the request (Fastify's not-found handler). */
  unmatchedRoute: boolean;
  method: string;
  path: string;
  bodyLimitBytes: number;
  contentType?: string | undefined;
}

/** The Fastify error code behind an error, whether it arrives raw or wrapped by Nest's adapter. */
function fastifyCode(err: unknown): string | undefined {
  const candidates = [err, err instanceof Error ? err.cause : undefined];
  for (const c of candidates) {
    const code = (c as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && code.startsWith('FST_')) return code;
  }
  return undefined;
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof HttpException) return err.getStatus();
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Turns whatever reached the HTTP exception layer into the DomainException the client sees, or
 * `undefined` for an unexpected failure (the caller answers 500 with an error id and logs the rest).
 * Fastify's own errors (body parsing, size, media type) are rejected before any controller runs.
 */
export function toClientError(err: unknown, ctx: MappingContext): DomainException | undefined {
  if (err instanceof DomainException) return err;

  switch (fastifyCode(err)) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new DomainException('MALFORMED_JSON', 'The request body is not valid JSON.', { status: 400 });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainException('MALFORMED_JSON', 'The request body is empty although Content-Type says application/json.', { status: 400 });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainException('PAYLOAD_TOO_LARGE', `The request body is larger than ${ctx.bodyLimitBytes} bytes.`, {
        status: 413,
        extensions: { limit_bytes: ctx.bodyLimitBytes },
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DomainException(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Type ${ctx.contentType ? `"${ctx.contentType.slice(0, 100)}"` : '(none)'} is not supported; send application/json.`,
        { status: 415 },
      );
    case 'FST_ERR_BAD_URL':
      return new DomainException('MALFORMED_URL', 'The request path is not a valid URL (a bad percent-encoding).', { status: 400 });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new DomainException('URI_TOO_LONG', 'A path parameter of the request is too long.', { status: 414 });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainException('BAD_REQUEST', 'Content-Length does not match the request body.', { status: 400 });
    default:
      break;
  }

  const status = statusOf(err);
  if (status === 404 && ctx.unmatchedRoute) {
    // A known path with another method is a 404 too: Fastify's router does not tell them apart.
    return new DomainException('ROUTE_NOT_FOUND', `No route ${ctx.method} ${ctx.path}.`, { status: 404 });
  }
  if (status === undefined || status < 400 || status >= 500) return undefined;
  const detail = err instanceof HttpException ? err.message : (err as Error).message;
  return new DomainException(CODE_BY_STATUS[status] ?? 'BAD_REQUEST', detail || 'The request cannot be served.', { status });
}
