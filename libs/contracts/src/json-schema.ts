import { getMetadataStorage, ValidationTypes } from 'class-validator';

type Class = new (...args: never[]) => object;

/**
 * A JSON schema of a contract class, read from its class-validator decorators, so a payload's
 * schema (e.g. in `GET webhooks/event-types`) is never written twice. Covers the decorators the
 * contracts use; anything else leaves the property untyped. Objects stay open: events are additive.
 */
export function jsonSchemaOf(cls: Class): Record<string, unknown> {
  const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const properties: Record<string, Record<string, unknown>> = {};
  const optional = new Set<string>();
  for (const m of metas) {
    const prop = (properties[m.propertyName] ??= {});
    if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      optional.add(m.propertyName);
      continue;
    }
    const each = m.each === true;
    const target = each ? ((prop.items as Record<string, unknown> | undefined) ?? (prop.items = {})) as Record<string, unknown> : prop;
    switch (m.name) {
      case 'isUuid':
        Object.assign(target, { type: 'string', format: 'uuid' });
        break;
      case 'isString':
        target.type = 'string';
        break;
      case 'isInt':
        target.type = 'integer';
        break;
      case 'isNumber':
        target.type = 'number';
        break;
      case 'isBoolean':
        target.type = 'boolean';
        break;
      case 'isIso8601':
      case 'isDateString':
        Object.assign(target, { type: 'string', format: 'date-time' });
        break;
      case 'isEmail':
        Object.assign(target, { type: 'string', format: 'email' });
        break;
      case 'isIn':
        target.enum = [...(m.constraints?.[0] as unknown[])];
        break;
      case 'isObject':
        target.type = 'object';
        break;
      case 'isArray':
        prop.type = 'array';
        break;
      case 'min':
        target.minimum = m.constraints?.[0];
        break;
      case 'max':
        target.maximum = m.constraints?.[0];
        break;
      case 'maxLength':
        target.maxLength = m.constraints?.[0];
        break;
      case 'minLength':
        target.minLength = m.constraints?.[0];
        break;
      default:
        break;
    }
  }
  const required = Object.keys(properties).filter((p) => !optional.has(p));
  return { type: 'object', additionalProperties: true, required, properties };
}
