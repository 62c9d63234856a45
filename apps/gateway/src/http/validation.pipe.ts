import { ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { flattenValidationErrors } from '@saas/contracts';
import { DomainException } from '@saas/errors';

/**
 * Validates bodies, queries and params against their DTO classes. Unknown fields are refused (so
 * nothing like `role` or `owner_id` can be mass-assigned) and every failure is VALIDATION_FAILED with
 * `errors: [{ field, message }]`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    transformOptions: { exposeDefaultValues: true },
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => DomainException.validation(flattenValidationErrors(errors as ValidationError[])),
  });
}
