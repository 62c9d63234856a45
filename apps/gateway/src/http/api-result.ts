import type { Type } from '@nestjs/common';
import { ApiExtraModels, getSchemaPath } from '@nestjs/swagger';
import type { Page } from '@saas/contracts';

/** Where `ApiResult` leaves the body of a route's success response for `completeDocument`. */
export const API_RESULT = 'saas:api-result';

export interface ApiResultOptions {
  description?: string;
  /** An example body (cheap to give, shown in the UI and the SDK's docs). */
  example?: unknown;
  /**
   * Other statuses answering the same body, e.g. the 503 of a health check (its report, not a
   * problem).
   */
  alsoFor?: number[];
}

export interface ApiResultMetadata extends ApiResultOptions {
  schema: Record<string, unknown>;
}

/** A route handler answering `T`, at once or as a promise. */
type Answering<T> = (...args: never[]) => T | Promise<T>;

/**
 * The body of a route's 2xx, as a response-view class (`…ViewDto implements …View`). The status is
 * the route's own (`@HttpCode()` or Nest's default), so this cannot disagree with what it answers.
 * The compiler holds the handler to the class: every field the class documents must be in the
 * handler's return type, with the same type (an un-annotated `rpc.call`, `unknown`, does not
 * compile: annotate it, `Promise<TenantView>`); `…ViewDto implements …View` holds the class to
 * every field of the view. What the types cannot see (a service answering more than its view says)
 * the strict response check of test/e2e/openapi-conformance.e2e-spec.ts finds.
 */
export function ApiResult<T>(type: Type<T>, options: ApiResultOptions = {}) {
  return <F extends Answering<T>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<F>): void => {
    ApiExtraModels(type)(target, key, descriptor);
    Reflect.defineMetadata(API_RESULT, { ...options, schema: { $ref: getSchemaPath(type) } } satisfies ApiResultMetadata, descriptor.value as object);
  };
}

/**
 * A list's 2xx: the list envelope (`#/components/schemas/Page`: count, next, previous) with
 * `results` of `item`. Held to `Page<item>` like `ApiResult`.
 */
export function ApiPageResponse<T>(item: Type<T>, description = 'A page.') {
  return <F extends Answering<Page<T>>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<F>): void => {
    ApiExtraModels(item)(target, key, descriptor);
    Reflect.defineMetadata(API_RESULT, { description, schema: pageOf(getSchemaPath(item)) } satisfies ApiResultMetadata, descriptor.value as object);
  };
}

/** The Page envelope with `results` of the schema at `itemRef`. */
export const pageOf = (itemRef: string): Record<string, unknown> => ({
  allOf: [{ $ref: '#/components/schemas/Page' }, { type: 'object', required: ['results'], properties: { results: { type: 'array', items: { $ref: itemRef } } } }],
});

export function apiResultOf(handler: object): ApiResultMetadata | undefined {
  return Reflect.getMetadata(API_RESULT, handler) as ApiResultMetadata | undefined;
}
