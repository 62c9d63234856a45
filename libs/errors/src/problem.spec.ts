import { describe, expect, it } from '@jest/globals';
import { DomainException } from './domain.exception.js';
import { internalError, toProblem } from './problem.js';
import { fromRpcError, isRpcErrorPayload, toRpcError } from './rpc-error.js';

describe('problem documents', () => {
  it('render a domain exception as RFC 9457 with code and correlation id', () => {
    const ex = new DomainException('TENANT_NOT_FOUND', 'No tenant with that id.');
    const doc = toProblem(ex, { instance: '/api/v1/tenants/x', correlationId: 'req-1', now: new Date(0) });
    expect(doc).toEqual({
      type: 'https://docs.saas-control-plane.dev/problems/tenant-not-found',
      title: 'Not Found',
      status: 404,
      detail: 'No tenant with that id.',
      instance: '/api/v1/tenants/x',
      code: 'TENANT_NOT_FOUND',
      correlation_id: 'req-1',
      timestamp: '1970-01-01T00:00:00.000Z',
    });
  });

  it('keep code, status and field errors across an RPC hop', () => {
    const ex = DomainException.validation([{ field: 'name', message: 'name must be longer' }]);
    const wire = JSON.parse(JSON.stringify(toRpcError(ex)));
    expect(isRpcErrorPayload(wire)).toBe(true);
    const back = fromRpcError(wire);
    expect(back.code).toBe('VALIDATION_FAILED');
    expect(back.status).toBe(400);
    expect(back.errors).toEqual([{ field: 'name', message: 'name must be longer' }]);
  });

  it('hide everything about an internal error but its id', () => {
    const { exception, errorId } = internalError();
    expect(exception.status).toBe(500);
    expect(exception.message).toContain(errorId);
    expect(exception.extensions).toEqual({ error_id: errorId });
  });
});
