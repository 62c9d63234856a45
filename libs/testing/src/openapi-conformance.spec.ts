import { describe, expect, it } from '@jest/globals';
import { OpenApiResponseValidator, type OpenApiDocument } from './openapi-conformance.js';

const doc: OpenApiDocument = {
  paths: {
    '/api/v1/things/{id}': {
      get: {
        operationId: 'things.get',
        responses: {
          '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          '404': { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        },
      },
    },
    '/api/v1/things/count': { get: { operationId: 'things.count', responses: { '200': { content: { 'application/json': { schema: { type: 'integer' } } } } } } },
    '/api/v1/things': {
      get: {
        operationId: 'things.list',
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: { allOf: [{ $ref: '#/components/schemas/Page' }, { type: 'object', properties: { results: { type: 'array', items: { $ref: '#/components/schemas/Thing' } } } }] },
              },
            },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        required: ['id', 'owner', 'at'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          owner: { nullable: true, type: 'object', allOf: [{ $ref: '#/components/schemas/Owner' }] },
          at: { type: 'string', format: 'date-time', example: '2026-01-01T00:00:00Z' },
          tags: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      Owner: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      Page: { type: 'object', required: ['count', 'results'], properties: { count: { type: 'integer' }, next: { type: 'string', nullable: true }, results: { type: 'array', items: {} } } },
      Problem: { type: 'object', required: ['code'], properties: { code: { type: 'string' } } },
    },
  },
};

const id = '5b8f1d2e-0c3a-4e59-9a77-1c2d3e4f5a6b';
const json = 'application/json; charset=utf-8';
const thing = { id, owner: null, at: '2026-01-01T00:00:00.000Z' };

describe('OpenApiResponseValidator', () => {
  it('passes a body that matches its operation’s schema (nullable refs, free maps, the Page envelope)', () => {
    const v = new OpenApiResponseValidator(doc);
    expect(v.check('GET', `/api/v1/things/${id}`, 200, json, JSON.stringify({ ...thing, owner: { name: 'a' }, tags: { x: 'y' } })).errors).toEqual([]);
    expect(v.check('GET', `/api/v1/things/${id}`, 200, json, JSON.stringify(thing)).errors).toEqual([]);
    expect(v.check('GET', '/api/v1/things?page=1', 200, json, JSON.stringify({ count: 1, next: null, results: [thing] })).errors).toEqual([]);
    expect(v.check('GET', `http://x/api/v1/things/${id}`, 404, 'application/problem+json', JSON.stringify({ code: 'THING_NOT_FOUND' })).errors).toEqual([]);
    expect([...v.checked]).toEqual(['things.get 200', 'things.list 200', 'things.get 404']);
  });

  it('matches a literal path segment before a parameter', () => {
    expect(new OpenApiResponseValidator(doc).check('GET', '/api/v1/things/count', 200, json, '3')).toMatchObject({ operation: 'things.count', errors: [] });
  });

  it('fails a missing field, a wrong type or format, a field the document does not name, an undocumented status or content type', () => {
    const v = new OpenApiResponseValidator(doc);
    expect(v.check('GET', `/api/v1/things/${id}`, 200, json, JSON.stringify({ id, at: thing.at })).errors).toEqual(["(body) should have required property 'owner'"]);
    expect(v.check('GET', `/api/v1/things/${id}`, 200, json, JSON.stringify({ ...thing, id: 'nope' })).errors).toEqual(['.id should match format "uuid"']);
    expect(v.check('GET', `/api/v1/things/${id}`, 200, json, JSON.stringify({ ...thing, secret: 'x' })).errors).toEqual(['(body) should NOT have additional properties: secret']);
    expect(v.check('GET', '/api/v1/things', 200, json, JSON.stringify({ count: 1, next: null, results: [{ ...thing, owner: 3 }] })).errors.length).toBeGreaterThan(0);
    expect(v.check('GET', `/api/v1/things/${id}`, 500, json, '{}').errors).toEqual(['status 500 is not documented (documented: 200, 404)']);
    expect(v.check('GET', `/api/v1/things/${id}`, 404, json, '{"code":"X"}').errors).toEqual(['content-type application/json is not documented for 404 (documented: application/problem+json)']);
    expect(v.check('DELETE', `/api/v1/things/${id}`, 200, json, '{}').errors).toEqual(['no operation in the document']);
    expect(v.failures).toHaveLength(7);
  });

  it('leaves fields open when asked to (not strict)', () => {
    expect(new OpenApiResponseValidator(doc, { strict: false }).check('GET', `/api/v1/things/${id}`, 200, json, JSON.stringify({ ...thing, extra: 1 })).errors).toEqual([]);
  });
});
