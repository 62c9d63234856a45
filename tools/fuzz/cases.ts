import fc from 'fast-check';
import { arbitraryOf } from './arbitraries.js';
import type { Operation, ParameterObject, SchemaObject } from './openapi.js';

/** One request to send (principal-independent). */
export interface FuzzCase {
  operation: string;
  /** What the case tries, e.g. `body: name → null`, `path id: not a UUID`. */
  label: string;
  method: Operation['method'];
  url: string;
  /** The raw body text (may be malformed JSON on purpose). */
  body?: string;
  contentType?: string;
  /** A body generated to match the schema (not mutated): a 2xx is expected to be possible. */
  valid: boolean;
}

export interface CaseOptions {
  seed: number;
  /** Body cases per operation (valid samples and their mutations). */
  bodyCases: number;
  /** Ids that exist on the platform; path ids are drawn from them as well as from random UUIDs. */
  knownIds: readonly string[];
}

/** Path values that are not ids at all, or ids of nothing. */
const BAD_PATH_VALUES = [
  '0',
  '-1',
  'abc',
  'null',
  'undefined',
  '99999999999999999999',
  '1e400',
  "' OR '1'='1",
  '%00',
  'a%00b',
  '%ff',
  '..%2f..%2fetc%2fpasswd',
  '__proto__',
  'constructor',
  encodeURIComponent('ü😀'),
  'a'.repeat(2_000),
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '5b8f1d2e-0c3a-4e59-9a77-1c2d3e4f5a6b-1',
  '{id}',
];

const BAD_NUMBERS = ['0', '-1', '1.5', 'abc', '', '99999999999999999999', '1e400', '-1e400', 'NaN', 'Infinity', '0x10', ' 1', '9007199254740993'];
const BAD_STRINGS = ['\u0000', 'a\u0000b', '', 'x'.repeat(5_000), '%00', "' OR 1=1--", '[]', '{}', '-', ',,', '-created_at,;drop table users'];
const BAD_DATES = ['not-a-date', '2026-13-45', '9999999-01-01T00:00:00Z', '0', '-1'];

/** Values that type-confuse a field. */
const WRONG_TYPES: unknown[] = [0, -1, 1.5, true, false, [], [1, 'a'], {}, { a: { b: 1 } }, 'str', ''];
const BOUNDARY_NUMBERS: unknown[] = [0, -1, -0, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, 5e-324];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];
const DEEP = '__FUZZ_DEEP__';

const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

function valueFor(param: ParameterObject, knownIds: readonly string[]): fc.Arbitrary<string> {
  const schema = param.schema ?? { type: 'string' };
  if (schema.format === 'uuid' && knownIds.length) return fc.oneof(fc.constantFrom(...knownIds), fc.uuid());
  return arbitraryOf(schema).map((v) => String(v));
}

function badQueryValues(schema: SchemaObject | undefined): string[] {
  const s = schema ?? {};
  const values = [...BAD_STRINGS];
  if (s.type === 'integer' || s.type === 'number') {
    values.push(...BAD_NUMBERS);
    if (s.maximum !== undefined) values.push(String(s.maximum + 1));
    if (s.minimum !== undefined) values.push(String(s.minimum - 1));
  }
  if (s.enum) values.push('nope', String(s.enum[0]).toUpperCase(), `${String(s.enum[0])},${String(s.enum[0])}`);
  if (s.type === 'boolean') values.push('maybe', '2', 'TRUE ');
  if (s.format === 'date-time' || /date|from|to/.test(String(s.format ?? ''))) values.push(...BAD_DATES);
  return values;
}

function withQuery(path: string, query: Array<[string, string]>): string {
  if (!query.length) return path;
  return `${path}?${query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

/** Mutations of a valid body: each returns the body text, or undefined when it does not apply. */
function mutate(body: Record<string, unknown>, schema: SchemaObject, pick: number, key: string | undefined): { label: string; text: string } {
  const props = Object.keys(schema.properties ?? {});
  const field = key ?? props[pick % Math.max(1, props.length)] ?? 'name';
  const required = schema.required ?? [];
  const fieldSchema = schema.properties?.[field];
  const set = (value: unknown) => JSON.stringify({ ...body, [field]: value });
  const kinds: Array<() => { label: string; text: string }> = [
    () => {
      const r = required[pick % Math.max(1, required.length)];
      const rest = { ...body };
      if (r) delete rest[r];
      return { label: `body: required ${r ?? '(none)'} missing`, text: JSON.stringify(rest) };
    },
    () => ({ label: `body: ${field} → null`, text: set(null) }),
    () => {
      const v = WRONG_TYPES[pick % WRONG_TYPES.length];
      return { label: `body: ${field} → ${JSON.stringify(v)}`, text: set(v) };
    },
    () => {
      const v = BOUNDARY_NUMBERS[pick % BOUNDARY_NUMBERS.length];
      return { label: `body: ${field} → ${String(v)}`, text: set(v) };
    },
    () => {
      const n = (fieldSchema?.maxLength ?? 100) + 1 + (pick % 3) * 50_000;
      return { label: `body: ${field} → string of ${n}`, text: set('x'.repeat(n)) };
    },
    () => ({ label: `body: ${field} → nested 2000 deep`, text: set(DEEP).replace(JSON.stringify(DEEP), pick % 2 ? deepJson(2_000) : deepArray(2_000)) }),
    () => ({ label: 'body: unknown field', text: JSON.stringify({ ...body, [`zz_unknown_${pick}`]: 1 }) }),
    () => {
      const proto = PROTO_KEYS[pick % PROTO_KEYS.length]!;
      return { label: `body: ${proto} key`, text: JSON.stringify(body).replace(/^\{/, `{"${proto}":{"is_admin":true,"role":"admin","polluted":1}${Object.keys(body).length ? ',' : ''}`) };
    },
    () => ({ label: `body: ${field} → control characters`, text: set('\u0000\u0007\ud800\u202e<script>') }),
    () => ({ label: `body: ${field} → ${field}.__proto__`, text: set(DEEP).replace(JSON.stringify(DEEP), '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}') }),
  ];
  return kinds[pick % kinds.length]!();
}

/** Whole bodies that are not the object the operation takes. */
const NOT_AN_OBJECT: Array<{ label: string; text: string; contentType?: string }> = [
  { label: 'body: null', text: 'null' },
  { label: 'body: []', text: '[]' },
  { label: 'body: a string', text: '"x"' },
  { label: 'body: a number', text: '123' },
  { label: 'body: {}', text: '{}' },
  { label: 'body: empty', text: '' },
  { label: 'body: malformed JSON', text: '{"a":' },
  { label: 'body: 5000 nested arrays', text: deepArray(5_000) },
  { label: 'body: 5000 nested objects', text: deepJson(5_000) },
  { label: 'body: __proto__ only', text: '{"__proto__":{"polluted":1}}' },
  { label: 'body: duplicate keys', text: '{"name":"ab","name":null}' },
  { label: 'body: text/plain', text: 'name=x', contentType: 'text/plain' },
  { label: 'body: form', text: 'name=x&a[b]=1', contentType: 'application/x-www-form-urlencoded' },
];

/**
 * The cases of one operation, deterministic for a seed: the path with every parameter valid (drawn
 * from known ids and random UUIDs), bodies generated from the schema with fast-check and mutated,
 * path values that are no id or nobody's, and query values outside their ranges.
 */
export function casesFor(op: Operation, options: CaseOptions, opIndex: number): FuzzCase[] {
  const seed = (options.seed * 7919 + opIndex * 104_729) | 0;
  const sample = <T>(arb: fc.Arbitrary<T>, n: number, salt = 0): T[] => fc.sample(arb, { seed: seed + salt, numRuns: n });
  const validPath = (salt: number): string => {
    let path = op.path;
    for (const p of op.pathParams) path = path.replace(`{${p.name}}`, encodeURIComponent(sample(valueFor(p, options.knownIds), 1, salt)[0]!));
    return path;
  };
  const requiredQuery = (salt: number): Array<[string, string]> =>
    op.queryParams.filter((q) => q.required).map((q) => [q.name, sample(valueFor(q, options.knownIds), 1, salt)[0]!]);
  const cases: FuzzCase[] = [];
  const base = (label: string, url: string, valid: boolean, body?: string, contentType?: string): FuzzCase => ({
    operation: op.id,
    label,
    method: op.method,
    url,
    valid,
    ...(body !== undefined ? { body, contentType: contentType ?? 'application/json' } : {}),
  });

  // Bodies: valid samples, their mutations, and bodies that are no object at all.
  if (op.body) {
    const schema = op.body;
    const n = options.bodyCases;
    // Full bodies (every optional field too) and minimal ones (the required fields only): one odd
    // optional value refuses a full body, so the minimal ones are what reach the happy paths.
    const minimal: SchemaObject = { ...schema, properties: Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([k]) => schema.required?.includes(k))) };
    const valid = [
      ...(sample(arbitraryOf(schema), Math.max(2, Math.ceil(n / 4)), 1) as Array<Record<string, unknown>>),
      ...(schema.properties ? (sample(arbitraryOf(minimal), 2, 6) as Array<Record<string, unknown>>) : []),
    ];
    valid.forEach((b, i) => cases.push(base('body: valid', withQuery(validPath(i), requiredQuery(i)), true, JSON.stringify(b))));
    const picks = sample(fc.tuple(fc.nat(), fc.nat({ max: valid.length - 1 }), fc.option(fc.constantFrom(...Object.keys(schema.properties ?? { name: 1 })))), n, 2);
    picks.forEach(([pick, which, key], i) => {
      const m = mutate(valid[which] ?? {}, schema, pick + i, key ?? undefined);
      cases.push(base(m.label, withQuery(validPath(i + 100), requiredQuery(i)), false, m.text));
    });
    // Every field once null and once of another type: the mutations above pick fields at random.
    const first = valid[valid.length - 1] ?? {}; // a minimal body: nothing else in it is refused
    for (const field of Object.keys(schema.properties ?? {})) {
      cases.push(base(`body: ${field} → null (each field)`, withQuery(validPath(0), requiredQuery(0)), false, JSON.stringify({ ...first, [field]: null })));
      const other = schema.properties?.[field]?.type === 'string' ? 12 : 'x';
      cases.push(base(`body: ${field} → ${JSON.stringify(other)} (each field)`, withQuery(validPath(0), requiredQuery(0)), false, JSON.stringify({ ...first, [field]: other })));
    }
    for (const raw of NOT_AN_OBJECT) cases.push(base(raw.label, withQuery(validPath(0), requiredQuery(0)), false, raw.text, raw.contentType));
  } else {
    for (let i = 0; i < 2; i++) cases.push(base('valid', withQuery(validPath(i), requiredQuery(i)), true));
  }
  const body = op.body ? JSON.stringify(sample(arbitraryOf(op.body), 1, 3)[0]) : undefined;

  // Path parameters that are no id, or nobody's.
  for (const p of op.pathParams) {
    const bad = [...BAD_PATH_VALUES, ...sample(fc.uuid(), 2, 4)];
    for (const value of bad) {
      // The other parameters first: a bad value may itself look like a placeholder (`{id}`).
      const others = op.path.replace(/\{([^}]+)\}/g, (m, other: string) => (other === p.name ? m : encodeURIComponent(sample(valueFor(op.pathParams.find((x) => x.name === other)!, options.knownIds), 1, 5)[0]!)));
      const url = others.replace(`{${p.name}}`, value);
      cases.push(base(`path ${p.name}: ${value.length > 40 ? `${value.slice(0, 20)}…(${value.length})` : value}`, withQuery(url, requiredQuery(0)), false, body));
    }
  }

  // Query values out of range, repeated, nested, unknown.
  for (const q of op.queryParams) {
    for (const value of badQueryValues(q.schema)) {
      cases.push(base(`query ${q.name}=${value.length > 40 ? `${value.slice(0, 20)}…(${value.length})` : value}`, withQuery(validPath(0), [...requiredQuery(0).filter(([k]) => k !== q.name), [q.name, value]]), false, body));
    }
    cases.push(base(`query ${q.name} repeated`, withQuery(validPath(0), [[q.name, 'a'], [q.name, 'b']]), false, body));
    cases.push(base(`query ${q.name}[x]`, `${validPath(0)}?${encodeURIComponent(q.name)}%5Bx%5D=1`, false, body));
  }
  cases.push(base('query: unknown parameter', withQuery(validPath(0), [...requiredQuery(0), ['zz_unknown', '1']]), false, body));
  cases.push(base('query: __proto__', `${validPath(0)}?__proto__%5Bpolluted%5D=1&constructor%5Bprototype%5D%5Bpolluted%5D=1`, false, body));
  return cases;
}
