import { describe, expect, it } from '@jest/globals';
import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { DomainException } from '@saas/errors';
import { toClientError, type MappingContext } from './problem-mapping.js';

const ctx: MappingContext = { unmatchedRoute: false, method: 'POST', path: '/api/v1/x', bodyLimitBytes: 1024, contentType: 'text/csv' };

/** What Fastify's content-type parser raises, wrapped the way Nest's adapter hands it to the filter. */
function fastifyError(code: string, statusCode: number): HttpException {
  const cause = Object.assign(new Error(code), { code, statusCode, name: 'FastifyError' });
  return new HttpException(cause.message, statusCode, { cause });
}

describe('toClientError', () => {
  it('passes domain exceptions (also those rebuilt from an RPC) through unchanged', () => {
    const ex = new DomainException('TENANT_NOT_FOUND', 'No such tenant.', { status: 404 });
    expect(toClientError(ex, ctx)).toBe(ex);
  });

  it.each([
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 400, 'MALFORMED_JSON'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 400, 'MALFORMED_JSON'],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 413, 'PAYLOAD_TOO_LARGE'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 400, 'BAD_REQUEST'],
  ])('maps Fastify %s to %i %s', (code, fastifyStatus, status, expected) => {
    const mapped = toClientError(fastifyError(code, fastifyStatus), ctx);
    expect(mapped).toMatchObject({ status, code: expected });
  });

  it('says what the limit and the refused content type were', () => {
    expect(toClientError(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413), ctx)).toMatchObject({ extensions: { limit_bytes: 1024 } });
    expect(toClientError(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), ctx)?.message).toContain('text/csv');
  });

  it('tells an unknown route from a 404 thrown by a matched route', () => {
    expect(toClientError(new NotFoundException('Cannot GET /nope'), { ...ctx, unmatchedRoute: true, method: 'GET', path: '/nope' })).toMatchObject({
      status: 404,
      code: 'ROUTE_NOT_FOUND',
      message: 'No route GET /nope.',
    });
    expect(toClientError(new NotFoundException(), ctx)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('maps other 4xx HttpExceptions by status', () => {
    expect(toClientError(new BadRequestException('bad'), ctx)).toMatchObject({ status: 400, code: 'BAD_REQUEST', message: 'bad' });
    expect(toClientError(new HttpException('slow down', 429), ctx)).toMatchObject({ status: 429, code: 'RATE_LIMIT_EXCEEDED' });
    expect(toClientError(new HttpException('teapot', 418), ctx)).toMatchObject({ status: 418, code: 'BAD_REQUEST' });
  });

  it('leaves anything unexpected (5xx, plain errors, non-errors) to the 500 path', () => {
    expect(toClientError(new Error('db password is hunter2'), ctx)).toBeUndefined();
    expect(toClientError(new HttpException('boom', 500), ctx)).toBeUndefined();
    expect(toClientError(Object.assign(new Error('timeout'), { code: 'FST_ERR_HANDLER_TIMEOUT', statusCode: 503 }), ctx)).toBeUndefined();
    expect(toClientError('a string', ctx)).toBeUndefined();
  });
});
