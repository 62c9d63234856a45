import type { FieldError } from '@saas/errors';
import { COMMON_PASSWORDS } from './common-passwords.js';

export const MIN_PASSWORD_LENGTH = 10;

function characterClasses(password: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
}

/**
 * Why a password is too weak (empty when it is fine): at least 10 characters, more than one
 * character class, not containing the email's local part, not one of the most common passwords.
 */
export function passwordWeaknesses(password: string, context: { email?: string | null; field?: string } = {}): FieldError[] {
  const field = context.field ?? 'password';
  const problems: string[] = [];
  if ([...password].length < MIN_PASSWORD_LENGTH) problems.push(`password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  if (characterClasses(password) < 2) problems.push('password must mix at least two of: lower case, upper case, digits, symbols');
  const local = context.email?.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 3 && password.toLowerCase().includes(local)) problems.push('password must not contain your email address');
  if (COMMON_PASSWORDS.has(password.toLowerCase())) problems.push('password is too common');
  return problems.map((message) => ({ field, message }));
}
