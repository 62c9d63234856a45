import Ajv from 'ajv';

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  responses?: Record<string, { content?: Record<string, { schema?: Json }> }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation | unknown>>;
  components?: { schemas?: Record<string, Json> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const ROOT_ID = 'openapi.json';

/**
 * OpenAPI 3.0 schema → JSON Schema (draft-07) for ajv: `nullable` becomes a `null` alternative,
 * component refs point into one root schema, and (strict) an object that names its properties
 * admits no other, so a field a service returns but the document does not name fails. The direct
 * members of an `allOf` stay open: each describes only part of the object (the Page envelope and
 * its `results`).
 */
function toJsonSchema(schema: unknown, strict: boolean, inAllOf = false): unknown {
  if (Array.isArray(schema)) return schema.map((s) => toJsonSchema(s, strict));
  if (!schema || typeof schema !== 'object') return schema;
  const { nullable, example: _example, ...rest } = schema as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace('#/components/schemas/', `${ROOT_ID}#/definitions/`);
    else if (key === 'properties' && value && typeof value === 'object')
      out.properties = Object.fromEntries(Object.entries(value as Json).map(([name, s]) => [name, toJsonSchema(s, strict)]));
    else if (key === 'allOf' && Array.isArray(value)) out.allOf = value.map((s) => toJsonSchema(s, strict, true));
    else if (['items', 'additionalProperties', 'not'].includes(key) || ['oneOf', 'anyOf'].includes(key)) out[key] = toJsonSchema(value, strict);
    else out[key] = value;
  }
  if (strict && !inAllOf && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return nullable === true ? { anyOf: [{ type: 'null' }, out] } : out;
}

export interface ResponseCheck {
  operation: string;
  status: number;
  errors: string[];
}

/**
 * Validates real responses against the operation the OpenAPI document says answered them: the
 * status must be documented, and the body must match its schema (ajv). Records every operation it
 * checked so a spec can say which ones it covered.
 */
export class OpenApiResponseValidator {
  private readonly ajv: Ajv.Ajv;
  private readonly routes: Array<{ method: string; template: string; pattern: RegExp; params: number; op: Operation }>;
  /** `operationId status` of every response checked. */
  readonly checked = new Set<string>();
  readonly failures: ResponseCheck[] = [];

  private readonly strict: boolean;

  constructor(doc: OpenApiDocument, options: { strict?: boolean } = {}) {
    const strict = options.strict ?? true;
    this.ajv = new Ajv({ allErrors: true, unknownFormats: 'ignore', schemaId: 'auto' });
    const definitions = Object.fromEntries(Object.entries(doc.components?.schemas ?? {}).map(([name, s]) => [name, toJsonSchema(s, strict)]));
    this.ajv.addSchema({ $id: ROOT_ID, definitions });
    this.routes = Object.entries(doc.paths)
      .flatMap(([template, item]) =>
        METHODS.filter((m) => item[m]).map((method) => ({
          method,
          template,
          pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
          params: (template.match(/\{/g) ?? []).length,
          op: item[method] as Operation,
        })),
      )
      // A literal segment wins over a parameter (`/scans/{id}` vs `/scan`).
      .sort((a, b) => a.params - b.params);
    this.strict = strict;
  }

  /** The operation a request went to, or undefined when the document has none. */
  operationOf(method: string, pathname: string): { template: string; op: Operation } | undefined {
    return this.routes.find((r) => r.method === method.toLowerCase() && r.pattern.test(pathname));
  }

  /** Checks one response; returns its errors (none: conforming) and records them. */
  check(method: string, url: string, status: number, contentType: string | null, bodyText: string): ResponseCheck {
    const pathname = new URL(url, 'http://localhost').pathname.replace(/\/$/, '') || '/';
    const found = this.operationOf(method, pathname);
    const operation = found ? (found.op.operationId ?? `${method} ${found.template}`) : `${method.toUpperCase()} ${pathname}`;
    const result: ResponseCheck = { operation, status, errors: [] };
    if (!found) {
      result.errors.push('no operation in the document');
    } else {
      const response = found.op.responses?.[String(status)] ?? found.op.responses?.default;
      if (!response) {
        result.errors.push(`status ${status} is not documented (documented: ${Object.keys(found.op.responses ?? {}).join(', ')})`);
      } else if (bodyText.length > 0 && response.content) {
        const type = (contentType ?? '').split(';')[0]!.trim();
        const media = response.content[type];
        if (!media) result.errors.push(`content-type ${type} is not documented for ${status} (documented: ${Object.keys(response.content).join(', ')})`);
        else if (media.schema && /json/.test(type)) result.errors.push(...this.validate(media.schema, JSON.parse(bodyText) as unknown));
      } else if (bodyText.length > 0 && /^2/.test(String(status)) && status !== 204) {
        result.errors.push(`a ${status} body with no documented content`);
      }
    }
    this.checked.add(`${operation} ${status}`);
    if (result.errors.length) this.failures.push(result);
    return result;
  }

  private validate(schema: Json, body: unknown): string[] {
    const validate = this.ajv.compile(toJsonSchema(schema, this.strict) as object);
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.dataPath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String((e.params as { additionalProperty: string }).additionalProperty)}` : ''}`);
  }

  /**
   * A `fetch` that checks every response it gets against the document (then hands it over
   * unread): give it to the SDK's client, or call it directly.
   */
  fetch(inner: typeof fetch = globalThis.fetch.bind(globalThis)): typeof fetch {
    return async (input, init) => {
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      const url = input instanceof Request ? input.url : String(input);
      const response = await inner(input, init);
      this.check(method, url, response.status, response.headers.get('content-type'), await response.clone().text());
      return response;
    };
  }
}
