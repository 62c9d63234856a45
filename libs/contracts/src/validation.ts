import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { DomainException, type FieldError } from '@saas/errors';

type Class<T> = new (...args: any[]) => T; // eslint-disable-line @typescript-eslint/no-explicit-any

/** class-validator errors as the `errors: [{ field, message }]` of a VALIDATION_FAILED problem (nested fields dotted). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) =>
      // class-validator's whitelist message reads "property x should not exist"; say it plainly.
      ({ field, message: message.startsWith('property ') ? 'unknown field' : message }),
    );
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/**
 * Validates a payload on arrival (HTTP body, RPC request or event data) against its contract class.
 * Unknown fields are refused, so nothing can be mass-assigned. Throws VALIDATION_FAILED with
 * `errors: [{ field, message }]`.
 */
export function validatePayload<T extends object>(cls: Class<T>, plain: unknown, what = 'payload'): T {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw DomainException.validation([{ field: '', message: `${what} must be a JSON object` }]);
  }
  const instance = plainToInstance(cls, plain, { exposeDefaultValues: true }) as T;
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) throw DomainException.validation(flattenValidationErrors(errors), `The ${what} is not valid.`);
  return instance;
}
