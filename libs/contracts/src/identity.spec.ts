import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { DomainException } from '@saas/errors';
import { CreateUserRequest, LoginRequest, RegisterRequest, UpdateMeRequest, UpdateUserRequest } from './identity.js';
import { validatePayload } from './validation.js';

const caller = { actor: { type: 'user', id: '2b1f5a0e-6f0a-4d3b-9a57-3a1f7d7c9e11' }, roles: ['admin'] };
const id = '2b1f5a0e-6f0a-4d3b-9a57-3a1f7d7c9e11';

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainException) return [...new Set((err.errors ?? []).map((e) => e.field))];
    throw err;
  }
  throw new Error('expected VALIDATION_FAILED');
}

// Regressions (issue 16, found by the fuzz suite): @IsOptional() let null through to identity, which
// called .trim() on it and answered 500.
describe('identity requests refuse null where the field is not nullable', () => {
  it.each([
    ['login email', LoginRequest, { email: null, password: 'x' }, 'email'],
    ['login username', LoginRequest, { username: null, password: 'x' }, 'username'],
    ['register full_name', RegisterRequest, { email: 'a@example.com', password: 'Long-Password-42', full_name: null }, 'full_name'],
    ['create user full_name', CreateUserRequest, { caller, email: 'a@example.com', password: 'Long-Password-42', full_name: null }, 'full_name'],
    ['update me metadata', UpdateMeRequest, { caller, metadata: null }, 'metadata'],
    ['update me full_name', UpdateMeRequest, { caller, full_name: null }, 'full_name'],
    ['update user is_active', UpdateUserRequest, { caller, id, is_active: null }, 'is_active'],
    ['update user email', UpdateUserRequest, { caller, id, email: null }, 'email'],
    ['update user password', UpdateUserRequest, { caller, id, password: null }, 'password'],
  ])('%s', (_what, cls, body, field) => {
    expect(fieldsOf(() => validatePayload(cls as never, body, 'request'))).toEqual([field]);
  });

  it('still lets those fields be left out, and a username be cleared with null', () => {
    expect(validatePayload(LoginRequest, { email: 'a@example.com', password: 'x' }, 'request').username).toBeUndefined();
    expect(validatePayload(UpdateMeRequest, { caller, username: null }, 'request').username).toBeNull();
    expect(validatePayload(UpdateUserRequest, { caller, id, username: null, full_name: 'Ada Lovelace' }, 'request').full_name).toBe('Ada Lovelace');
  });
});
