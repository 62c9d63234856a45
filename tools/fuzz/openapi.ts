/** The parts of an OpenAPI 3.0 document the fuzzer reads. */
export interface SchemaObject {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  items?: SchemaObject;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  additionalProperties?: boolean | SchemaObject;
  allOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  default?: unknown;
}

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: SchemaObject;
}

interface OperationObject {
  operationId?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: ParameterObject[];
  requestBody?: { content?: Record<string, { schema?: SchemaObject }> };
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OperationObject | unknown>>;
  components?: { schemas?: Record<string, SchemaObject> };
}

/** One operation of the document, its references resolved. */
export interface Operation {
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  isPublic: boolean;
  pathParams: ParameterObject[];
  queryParams: ParameterObject[];
  /** The JSON request body's schema, when the operation takes one. */
  body?: SchemaObject;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Replaces `$ref`s (local `#/components/schemas/…` ones) by what they point at, up to a depth. */
export function resolveSchema(doc: OpenApiDocument, schema: SchemaObject | undefined, depth = 0): SchemaObject | undefined {
  if (!schema || depth > 8) return schema;
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolveSchema(doc, doc.components?.schemas?.[name], depth + 1);
  }
  const out: SchemaObject = { ...schema };
  if (schema.items) out.items = resolveSchema(doc, schema.items, depth + 1);
  if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, resolveSchema(doc, v, depth + 1) ?? {}]));
  if (schema.allOf) {
    const parts = schema.allOf.map((s) => resolveSchema(doc, s, depth + 1) ?? {});
    delete out.allOf;
    for (const part of parts) {
      out.type ??= part.type;
      out.properties = { ...out.properties, ...part.properties };
      out.required = [...(out.required ?? []), ...(part.required ?? [])];
    }
  }
  return out;
}

/** Every operation of the document (GET/POST/PUT/PATCH/DELETE), in document order. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as OperationObject | undefined;
      if (!op) continue;
      const params = op.parameters ?? [];
      const json = op.requestBody?.content?.['application/json'];
      out.push({
        id: op.operationId ?? `${method} ${path}`,
        method: method.toUpperCase() as Operation['method'],
        path,
        isPublic: Array.isArray(op.security) && op.security.length === 0,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ ...p, schema: resolveSchema(doc, p.schema) })),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ ...p, schema: resolveSchema(doc, p.schema) })),
        ...(json ? { body: resolveSchema(doc, json.schema) ?? {} } : {}),
      });
    }
  }
  return out;
}
