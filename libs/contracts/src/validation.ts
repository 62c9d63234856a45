import { plainToInstance } from 'class-transformer';
import { ValidateIf, validateSync, type ValidationError, type ValidationOptions } from 'class-validator';
import { DomainException, type FieldError } from '@saas/errors';
import { cacheValidationMetadata } from './validation-metadata-cache.js';

// Every process that validates imports this module first (the gateway's pipe, services, consumers).
cacheValidationMetadata();

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

export interface ValidateOptions {
  /**
   * `reject` (requests: HTTP bodies, RPC payloads) refuses unknown fields, so nothing can be
   * mass-assigned. `keep` (events) checks the known fields and keeps the rest untouched: the event
   * contract is additive, so a subscriber must accept fields it does not know yet.
   */
  unknownFields?: 'reject' | 'keep';
}

/**
 * Validates a payload on arrival (HTTP body, RPC request or event) against its contract class.
 * Throws VALIDATION_FAILED with `errors: [{ field, message }]`.
 */
export function validatePayload<T extends object>(cls: Class<T>, plain: unknown, what = 'payload', options: ValidateOptions = {}): T {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw DomainException.validation([{ field: '', message: `${what} must be a JSON object` }]);
  }
  const instance = plainToInstance(cls, plain, { exposeDefaultValues: true }) as T;
  const strict = (options.unknownFields ?? 'reject') === 'reject';
  const errors = validateSync(instance, strict ? { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } : { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) throw DomainException.validation(flattenValidationErrors(errors), `The ${what} is not valid.`);
  return instance;
}

/** `@Transform(toBool)`: query strings say `true`/`false`; anything else is left for `@IsBoolean` to refuse. */
export const toBool = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

/**
 * The field may be left out, but it is not nullable: `null` is validated (and refused by the
 * field's type rule) instead of being skipped as `@IsOptional()` does. For optional fields whose type
 * has no `null`, so that a service never meets one (issue 16: `{"full_name": null}` and
 * `{"email": null}` reached identity's `.trim()` and answered 500).
 */
export function IsOmittable(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined, options);
}
