import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProperty, getSchemaPath, type ApiPropertyOptions } from '@nestjs/swagger';

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

/** A list's 200: the Page envelope (`#/components/schemas/Page`) with `results` of `item`. */
export function ApiPageResponse(item: Type, description = 'A page.'): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(item),
    ApiOkResponse({
      description,
      schema: { allOf: [{ $ref: '#/components/schemas/Page' }, { type: 'object', properties: { results: { type: 'array', items: { $ref: getSchemaPath(item) } } } }] },
    }),
  );
}
