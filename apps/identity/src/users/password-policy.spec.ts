import { describe, expect, it } from '@jest/globals';
import { passwordWeaknesses } from './password-policy.js';

const messages = (password: string, email?: string) => passwordWeaknesses(password, { email }).map((e) => e.message);

describe('password strength', () => {
  it('accepts a long password that mixes character classes', () => {
    expect(passwordWeaknesses('correct horse Battery', { email: 'ada@example.com' })).toEqual([]);
    expect(passwordWeaknesses('tr0ub4dor&3x', { email: 'ada@example.com' })).toEqual([]);
  });

  it('refuses passwords shorter than 10 characters', () => {
    expect(messages('Ab1!xyz')).toContain('password must be at least 10 characters long');
    expect(messages('Ab1!xyzuvw')).toEqual([]);
  });

  it('refuses passwords made of one character class', () => {
    expect(messages('abcdefghijkl')).toContain('password must mix at least two of: lower case, upper case, digits, symbols');
    expect(messages('84729163058')).toContain('password must mix at least two of: lower case, upper case, digits, symbols');
    expect(messages('ABCDEFGHIJKL')).toHaveLength(1);
  });

  it('refuses passwords containing the email local part, case-insensitively', () => {
    expect(messages('xxAdaLovelace99', 'adalovelace@example.com')).toContain('password must not contain your email address');
    expect(messages('xxAdaLovelace99', 'someone@example.com')).toEqual([]);
  });

  it('refuses the most common passwords whatever their case', () => {
    expect(messages('Password123')).toContain('password is too common');
    expect(messages('QWERTYUIOP123')).toContain('password is too common');
    expect(messages('1q2w3e4r5t')).toContain('password is too common');
  });

  it('reports every problem on the given field', () => {
    const errors = passwordWeaknesses('aaaa', { field: 'new_password' });
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.every((e) => e.field === 'new_password')).toBe(true);
  });
});
