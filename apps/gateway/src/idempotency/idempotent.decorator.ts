import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '@saas/errors';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

const problem = { content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } } };

/**
 * The route accepts an `Idempotency-Key` header (POSTs that create something or start an operation):
 * see IdempotencyInterceptor. Needs IdempotencyModule (global) — nothing else.
 */
export function Idempotent(): MethodDecorator {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes a retry safe: the same key and body replay the first response (with `Idempotent-Replayed: true`) for 24 h; another body → 422; while the first is running → 409.',
    }),
    ApiResponse({ status: 409, description: 'IDEMPOTENCY_KEY_IN_PROGRESS', ...problem }),
    ApiResponse({ status: 422, description: 'IDEMPOTENCY_KEY_REUSED', ...problem }),
  );
}
