import { describe, expect, it } from '@jest/globals';
import { casesFor } from './cases.js';
import type { Operation } from './openapi.js';

const create: Operation = {
  id: 'tenants.create',
  method: 'POST',
  path: '/api/v1/tenants/{id}/things',
  isPublic: false,
  pathParams: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
  queryParams: [{ name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } }],
  body: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 2, maxLength: 100 }, plan: { type: 'string', enum: ['free', 'standard'] }, seats: { type: 'integer', minimum: 1, maximum: 10 } },
  },
};
const KNOWN = '5b8f1d2e-0c3a-4e59-9a77-1c2d3e4f5a6b';

describe('casesFor', () => {
  const cases = casesFor(create, { seed: 16, bodyCases: 24, knownIds: [KNOWN] }, 3);

  it('is the same for the same seed and differs for another', () => {
    expect(casesFor(create, { seed: 16, bodyCases: 24, knownIds: [KNOWN] }, 3)).toEqual(cases);
    expect(casesFor(create, { seed: 17, bodyCases: 24, knownIds: [KNOWN] }, 3)).not.toEqual(cases);
  });

  it('generates valid bodies from the schema', () => {
    const valid = cases.filter((c) => c.valid).map((c) => JSON.parse(c.body!) as { name: string; plan?: string; seats?: number });
    expect(valid.length).toBeGreaterThanOrEqual(2);
    for (const b of valid) {
      expect(b.name.length).toBeGreaterThanOrEqual(2);
      if (b.plan !== undefined) expect(['free', 'standard']).toContain(b.plan);
      if (b.seats !== undefined) expect(b.seats).toBeGreaterThanOrEqual(1);
    }
  });

  it('mutates bodies, path ids and query values', () => {
    const labels = cases.map((c) => c.label);
    for (const expected of ['body: null', 'body: 5000 nested arrays', 'body: __proto__ only', 'path id: abc', 'path id: %00', 'query page=99999999999999999999', 'query page=0', 'query: unknown parameter']) {
      expect(labels).toContain(expected);
    }
    expect(labels.some((l) => /^body: required name missing$/.test(l))).toBe(true);
    expect(cases.filter((c) => !c.valid).length).toBeGreaterThan(24);
    expect(cases.every((c) => c.url.startsWith('/api/v1/tenants/'))).toBe(true);
  });
});
