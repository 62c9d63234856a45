import { describe, expect, it } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { isUniqueViolation } from './pg-errors.js';

const pgError = (code: string, constraint?: string) => Object.assign(new Error('duplicate key value violates unique constraint'), { code, constraint });

describe('isUniqueViolation', () => {
  it('recognises a unique violation from pg and wrapped by TypeORM', () => {
    expect(isUniqueViolation(pgError('23505', 'tenants_slug_key'))).toBe(true);
    expect(isUniqueViolation(new QueryFailedError('INSERT', [], pgError('23505', 'tenants_slug_key')))).toBe(true);
  });

  it('checks the constraint when one is named', () => {
    const err = new QueryFailedError('INSERT', [], pgError('23505', 'users_email_lower_key'));
    expect(isUniqueViolation(err, 'users_email_lower_key')).toBe(true);
    expect(isUniqueViolation(err, 'users_username_lower_key')).toBe(false);
  });

  it('is false for anything else', () => {
    expect(isUniqueViolation(pgError('23503'))).toBe(false);
    expect(isUniqueViolation(new Error('boom'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
  });
});
