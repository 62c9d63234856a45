import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';

type Class = abstract new (...args: never[]) => object;

const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';
const described = new WeakSet<Class>();

/** OpenAPI facts one class-validator rule states about a property (its constraints as the rule holds them). */
function schemaOfRule(rule: ValidationMetadata): Record<string, unknown> {
  const [a, b] = (rule.constraints ?? []) as unknown[];
  switch (rule.name) {
    case 'isString':
      return { type: 'string' };
    case 'isInt':
      return { type: 'integer' };
    case 'isNumber':
      return { type: 'number' };
    case 'isBoolean':
      return { type: 'boolean' };
    case 'isObject':
      return { type: 'object', additionalProperties: true };
    case 'isArray':
      return { isArray: true };
    case 'isEmail':
      return { type: 'string', format: 'email' };
    case 'isUuid':
    case 'isUUID':
      return { type: 'string', format: 'uuid' };
    case 'isUrl':
      return { type: 'string', format: 'uri' };
    case 'isIso8601':
    case 'isISO8601':
    case 'isDateString':
      return { type: 'string', format: 'date-time' };
    case 'isIn':
      return Array.isArray(a) ? { enum: [...(a as unknown[])] } : {};
    case 'minLength':
      return { minLength: a };
    case 'maxLength':
      return { maxLength: a };
    case 'isLength':
      return { minLength: a, ...(b !== undefined ? { maxLength: b } : {}) };
    case 'min':
      return { minimum: a };
    case 'max':
      return { maximum: a };
    case 'arrayMinSize':
      return { minItems: a };
    case 'arrayMaxSize':
      return { maxItems: a };
    case 'isNotEmpty':
      return { minLength: 1 };
    case 'matches':
      return a instanceof RegExp ? { type: 'string', pattern: a.source } : typeof a === 'string' ? { type: 'string', pattern: a } : {};
    default:
      return {};
  }
}

function designTypeSchema(cls: Class, property: string): Record<string, unknown> {
  const type = Reflect.getMetadata('design:type', cls.prototype, property) as unknown;
  if (type === String) return { type: 'string' };
  if (type === Number) return { type: 'number' };
  if (type === Boolean) return { type: 'boolean' };
  if (type === Array) return { isArray: true };
  return {};
}

/**
 * Documents a DTO from its class-validator rules: every validated property becomes an OpenAPI property
 * (type, format, enum, lengths, bounds, pattern; required unless `@IsOptional()`), so a DTO built from
 * a contract class (`OmitType(CreateTenantRequest, ['caller'])`) is described without repeating its
 * rules. What an `@ApiProperty()` already says (descriptions, examples, `documented()`) wins over what
 * is derived. Nested DTOs (`@ValidateNested()` + a class design type) are described the same way.
 */
export function describeFromValidation(cls: Class): void {
  if (described.has(cls)) return;
  described.add(cls);
  const rules = getMetadataStorage().getTargetValidationMetadatas(cls as never, '', true, false);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const rule of rules) {
    if (rule.type === ValidationTypes.WHITELIST && rule.name !== undefined) continue;
    byProperty.set(rule.propertyName, [...(byProperty.get(rule.propertyName) ?? []), rule]);
  }
  for (const [property, propertyRules] of byProperty) {
    const derived: Record<string, unknown> = { ...designTypeSchema(cls, property) };
    let optional = false;
    for (const rule of propertyRules) {
      if (rule.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        optional = true;
        continue;
      }
      if (rule.type === ValidationTypes.NESTED_VALIDATION) {
        const nested = Reflect.getMetadata('design:type', cls.prototype, property) as unknown;
        if (typeof nested === 'function' && nested !== Object && nested !== Array) {
          describeFromValidation(nested as Class);
          derived.type = nested;
        }
        continue;
      }
      const fragment = schemaOfRule(rule);
      if (rule.each) {
        derived.isArray = true;
        if (fragment.type !== undefined) derived.type = fragment.type;
        if (fragment.enum !== undefined) derived.enum = fragment.enum;
        if (fragment.format !== undefined) derived.format = fragment.format;
      } else {
        Object.assign(derived, fragment);
      }
    }
    if (derived.isArray && derived.type === undefined) derived.type = 'string';
    if (!derived.isArray) delete derived.isArray;
    if (derived.type === undefined && derived.enum === undefined) continue; // nothing an OpenAPI schema can say
    const existing = (Reflect.getMetadata(API_MODEL_PROPERTIES, cls.prototype, property) as ApiPropertyOptions | undefined) ?? {};
    const existingSaysType = Object.prototype.hasOwnProperty.call(existing, 'type') && existing.type !== Object && existing.type !== undefined;
    ApiProperty({
      ...derived,
      required: !optional,
      ...existing,
      ...(existingSaysType ? {} : { type: derived.type }),
    } as ApiPropertyOptions)(cls.prototype, property);
  }
}
