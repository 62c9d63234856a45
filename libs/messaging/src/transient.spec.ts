import { describe, expect, it } from '@jest/globals';
import { ClosedConnectionError, NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import pg from 'pg';
import { QueryFailedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { DomainException, isTransient, transientKind } from '@saas/errors';

function pgError(code: string, message = 'boom'): pg.DatabaseError {
  const err = new pg.DatabaseError(message, message.length, 'error');
  err.code = code;
  return err;
}

function sysError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });
}

describe('transient errors (retried until a deadline)', () => {
  it.each([
    ['an RPC timeout', new DomainException('SERVICE_TIMEOUT', 'The tenants service did not answer within 5000 ms.', { status: 504 })],
    ['no responders over RPC', new DomainException('SERVICE_UNAVAILABLE', 'The tenants service is not available right now.', { status: 503 })],
    ['a NATS timeout', new TimeoutError()],
    ['NATS no responders', new NoRespondersError('rpc.x')],
    ['a NATS request that found no responders', new RequestError('no responders', { cause: new NoRespondersError('rpc.x') })],
    ['a closed NATS connection', new ClosedConnectionError()],
    ['Postgres restarted (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['Postgres starting up (57P03)', pgError('57P03', 'the database system is starting up')],
    ['a connection exception (08006)', pgError('08006')],
    ['a serialization failure (40001)', pgError('40001')],
    ['a deadlock (40P01)', pgError('40P01')],
    ['Postgres refusing connections (ECONNREFUSED)', sysError('ECONNREFUSED')],
    ['a reset socket', sysError('ECONNRESET')],
    ['pg losing its socket', new Error('Connection terminated unexpectedly')],
    ['pg-pool failing to connect in time', new Error('timeout exceeded when trying to connect')],
    ['a query that failed because the server went away', new QueryFailedError('SELECT 1', [], pgError('57P01'))],
    ['a transaction whose connection was cut (TypeORM)', new QueryRunnerProviderAlreadyReleasedError()],
    ['an error caused by one', new Error('job step failed', { cause: sysError('ECONNREFUSED') })],
  ])('%s', (_what, err) => {
    expect(isTransient(err)).toBe(true);
  });

  it.each([
    ['validation', DomainException.validation([{ field: 'slug', message: 'taken' }])],
    ['a definite refusal (404)', DomainException.notFound('TENANT_NOT_FOUND', 'No tenant with that id.')],
    ['a conflict', new DomainException('CONFLICT', 'Already exists.', { status: 409 })],
    ['a remote bug (502)', new DomainException('INTERNAL_ERROR', 'The tenants service failed to answer.', { status: 502 })],
    ['a unique violation', new QueryFailedError('INSERT', [], pgError('23505', 'duplicate key value'))],
    ['a syntax error', pgError('42601', 'syntax error')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error at all', 'nope'],
    ['nothing', undefined],
  ])('%s is an answer, not a blip', (_what, err) => {
    expect(isTransient(err)).toBe(false);
  });

  it('names the kind, for logs and metrics', () => {
    expect(transientKind(pgError('57P01'))).toBe('postgres');
    expect(transientKind(new TimeoutError())).toBe('nats');
    expect(transientKind(new DomainException('SERVICE_TIMEOUT', 'x', { status: 504 }))).toBe('rpc');
    expect(transientKind(sysError('ECONNREFUSED'))).toBe('network');
  });
});
