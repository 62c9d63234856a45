import fc from 'fast-check';
import type { SchemaObject } from './openapi.js';

/** Lengths the generator keeps valid values within when a schema sets no bound (keeps bodies small). */
const DEFAULT_MAX_LENGTH = 40;
const DEFAULT_MAX_ITEMS = 4;

function stringOf(schema: SchemaObject): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? DEFAULT_MAX_LENGTH, minLength + DEFAULT_MAX_LENGTH));
  switch (schema.format) {
    case 'email':
      return fc.emailAddress();
    case 'uuid':
      return fc.uuid();
    case 'uri':
      return fc.webUrl({ validSchemes: ['https'] });
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'password':
      return fc.string({ minLength: Math.max(minLength, 12), maxLength: Math.max(maxLength, 24) });
    default:
      break;
  }
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
    } catch {
      // a pattern fast-check cannot generate from: any string of the right length
    }
  }
  return fc.string({ minLength, maxLength });
}

/**
 * A fast-check arbitrary of the values a JSON schema (OpenAPI 3.0 subset: type, format, enum,
 * pattern, lengths, bounds, properties/required, items, additionalProperties, nullable) accepts.
 * Optional properties are sometimes present, sometimes not.
 */
export function arbitraryOf(schema: SchemaObject | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema) return fc.jsonValue({ maxDepth: 2 });
  const base = ((): fc.Arbitrary<unknown> => {
    if (schema.enum?.length) return fc.constantFrom(...schema.enum);
    switch (schema.type) {
      case 'string':
        return stringOf(schema);
      case 'integer':
        return fc.integer({ min: Math.ceil(schema.minimum ?? -1_000_000), max: Math.floor(schema.maximum ?? 1_000_000) });
      case 'number':
        return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(arbitraryOf(schema.items, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? DEFAULT_MAX_ITEMS, DEFAULT_MAX_ITEMS) });
      case 'object':
      case undefined: {
        if (!schema.properties) {
          if (schema.type === undefined) return fc.jsonValue({ maxDepth: 2 });
          return fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
        }
        if (depth > 4) return fc.constant({});
        const model = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, arbitraryOf(v, depth + 1)]));
        return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in model) });
      }
      default:
        return fc.jsonValue({ maxDepth: 1 });
    }
  })();
  return schema.nullable ? fc.option(base, { nil: null, freq: 8 }) : base;
}
