import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';

type Class = abstract new (...args: never[]) => object;

/**
 * Adds OpenAPI descriptions to the properties of an HTTP DTO whose validation comes from the
 * contract class it maps (`OmitType(ContractRequest, ['caller'])`): the rules stay in one place
 * (libs/contracts), the documentation is written here.
 */
export function documented<T extends Class>(cls: T, properties: Partial<Record<keyof InstanceType<T> & string, ApiPropertyOptions>>): T {
  for (const [name, options] of Object.entries(properties) as Array<[string, ApiPropertyOptions]>) {
    // `type: [String]` already says "array"; with `isArray: true` beside it Swagger makes an array of arrays.
    const { isArray, ...rest } = options as ApiPropertyOptions & { isArray?: boolean };
    const once = Array.isArray(rest.type) ? rest : { ...rest, ...(isArray !== undefined ? { isArray } : {}) };
    ApiProperty({ required: false, ...once } as ApiPropertyOptions)(cls.prototype, name);
  }
  return cls;
}

export const str = (description: string, extra: Partial<ApiPropertyOptions> = {}): ApiPropertyOptions => ({ type: String, description, ...extra }) as ApiPropertyOptions;
export const required = (options: ApiPropertyOptions): ApiPropertyOptions => ({ ...options, required: true }) as ApiPropertyOptions;
