import type { Type } from '@nestjs/common';
import { ApiProperty, getSchemaPath, type ApiPropertyOptions } from '@nestjs/swagger';

/**
 * Shorthands for the response-view classes (`…ViewDto implements …View` of libs/contracts): the
 * interface stays the contract, `implements` makes the compiler hold the documented class to it.
 */
const prop = (options: ApiPropertyOptions): PropertyDecorator => ApiProperty({ required: true, ...options } as ApiPropertyOptions);
export const Str = (description?: string, extra: Partial<ApiPropertyOptions> = {}) => prop({ type: String, ...(description ? { description } : {}), ...extra } as ApiPropertyOptions);
export const NullableStr = (description?: string, extra: Partial<ApiPropertyOptions> = {}) => Str(description, { nullable: true, ...extra } as Partial<ApiPropertyOptions>);
export const Uuid = (description?: string) => Str(description, { format: 'uuid' });
export const NullableUuid = (description?: string) => NullableStr(description, { format: 'uuid' });
export const DateTime = (description?: string) => Str(description, { format: 'date-time' });
export const NullableDateTime = (description?: string) => NullableStr(description, { format: 'date-time' });
export const Bool = (description?: string) => prop({ type: Boolean, ...(description ? { description } : {}) } as ApiPropertyOptions);
export const Int = (description?: string, extra: Partial<ApiPropertyOptions> = {}) => prop({ type: 'integer', ...(description ? { description } : {}), ...extra } as ApiPropertyOptions);
export const OneOf = (values: readonly string[], description?: string) => prop({ type: String, enum: [...values], ...(description ? { description } : {}) } as ApiPropertyOptions);
export const FreeObject = (description?: string, nullable = false) =>
  prop({ type: 'object', additionalProperties: true, ...(nullable ? { nullable: true } : {}), ...(description ? { description } : {}) } as ApiPropertyOptions);
export const StrList = (description?: string) => prop({ type: [String], ...(description ? { description } : {}) } as ApiPropertyOptions);
export const NullableInt = (description?: string, extra: Partial<ApiPropertyOptions> = {}) => Int(description, { nullable: true, ...extra } as Partial<ApiPropertyOptions>);
export const Num = (description?: string, extra: Partial<ApiPropertyOptions> = {}) => prop({ type: Number, ...(description ? { description } : {}), ...extra } as ApiPropertyOptions);
export const NullableNum = (description?: string) => Num(description, { nullable: true } as Partial<ApiPropertyOptions>);
export const NullableOneOf = (values: readonly string[], description?: string) =>
  prop({ type: String, enum: [...values], nullable: true, ...(description ? { description } : {}) } as ApiPropertyOptions);
/** A nested view class (`nullable` for `X | null`). */
export const Nested = (type: Type, options: { nullable?: boolean; description?: string } = {}) =>
  prop({ type, ...(options.nullable ? { nullable: true } : {}), ...(options.description ? { description: options.description } : {}) } as ApiPropertyOptions);
export const NestedList = (type: Type, description?: string) => prop({ type: [type], ...(description ? { description } : {}) } as ApiPropertyOptions);
/** `Record<string, number>`: counts by a key (status, plan, …). */
export const Counts = (description?: string) =>
  prop({ type: 'object', additionalProperties: { type: 'integer' }, ...(description ? { description } : {}) } as ApiPropertyOptions);
/** `Record<string, string>`. */
export const StrMap = (description?: string) => prop({ type: 'object', additionalProperties: { type: 'string' }, ...(description ? { description } : {}) } as ApiPropertyOptions);
/** `Record<string, View>` of a nested view class (registered with the owning class's `@ApiExtraModels`). */
export const MapOf = (type: Type, description?: string) =>
  prop({ type: 'object', additionalProperties: { $ref: getSchemaPath(type) }, ...(description ? { description } : {}) } as ApiPropertyOptions);
/** One of several view classes (a union), each registered with the owning class's `@ApiExtraModels`. */
export const OneOfViews = (types: Type[], description?: string) =>
  prop({ oneOf: types.map((t) => ({ $ref: getSchemaPath(t) })), ...(description ? { description } : {}) } as ApiPropertyOptions);
export const Any = (description?: string) => ApiProperty({ required: true, description, nullable: true } as ApiPropertyOptions);

/** Where list DTO files have imported it from; it lives with `ApiResult` now. */
export { ApiPageResponse } from './api-result.js';
