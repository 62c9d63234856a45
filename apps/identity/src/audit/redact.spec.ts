import { describe, expect, it } from '@jest/globals';
import { REDACTED, redactSecrets } from './redact.js';

describe('audit redaction', () => {
  it('replaces members whose names look secret, whatever their case', () => {
    expect(
      redactSecrets({ email: 'a@b.c', password: 'x', Password_Hash: 'y', api_key: 'k', refreshToken: 't', client_secret: 's', name: 'n' }),
    ).toEqual({ email: 'a@b.c', password: REDACTED, Password_Hash: REDACTED, api_key: REDACTED, refreshToken: REDACTED, client_secret: REDACTED, name: 'n' });
  });

  it('recurses into objects and arrays, and redacts a secret-named member whole', () => {
    const input = { user: { profile: { token: 'abc', city: 'Paris' } }, list: [{ secret: 1, ok: 2 }], keys: { a: 1 } };
    expect(redactSecrets(input)).toEqual({ user: { profile: { token: REDACTED, city: 'Paris' } }, list: [{ secret: REDACTED, ok: 2 }], keys: REDACTED });
  });

  it('leaves the input untouched and scalars as they are', () => {
    const input = { password: 'x' };
    redactSecrets(input);
    expect(input.password).toBe('x');
    expect(redactSecrets('password')).toBe('password');
    expect(redactSecrets(null)).toBeNull();
  });
});
