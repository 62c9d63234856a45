import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { TestEnv } from '@saas/testing';
import type { OpenApiDocument } from './openapi.js';
import { Fuzzer } from './runner.js';
import { StateProbe } from './state.js';

const problem = (status: number, code: string) => JSON.stringify({ type: 'about:blank', title: 'x', status, detail: 'x', code });

/**
 * The fuzzer against a small server with known defects: it must report each of them (a suite that
 * cannot fail proves nothing). `POST /things` stores a row for a refused body without `name`
 * (state changed after a refusal), answers 500 to a body nested deeper than 100, and answers a
 * non-UUID `GET /things/{id}` with plain JSON instead of problem+json.
 */
describe('Fuzzer', () => {
  let env: TestEnv;
  let db: pg.Client;
  let server: Server;
  let baseUrl: string;

  const doc: OpenApiDocument = {
    openapi: '3.0.0',
    paths: {
      '/things': {
        post: {
          operationId: 'things.create',
          security: [{ bearer: [] }],
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
        },
      },
      '/things/{id}': { get: { operationId: 'things.get', security: [], parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }] } },
    },
    components: { schemas: { Thing: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 20 } } } } },
  };

  beforeAll(async () => {
    env = await TestEnv.create('fuzz_runner');
    db = await env.pg();
    await db.query('CREATE SCHEMA svc; CREATE TABLE svc.things (name text); CREATE TABLE svc.refusals (at timestamptz DEFAULT now())');
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const send = (status: number, body: string, type = 'application/problem+json') => res.writeHead(status, { 'content-type': type }).end(body);
          if (req.method === 'GET' && req.url?.startsWith('/things/')) {
            const id = req.url.slice('/things/'.length).split('?')[0]!;
            if (!/^[0-9a-f-]{36}$/i.test(id)) return send(400, '{"statusCode":400}', 'application/json');
            return send(404, problem(404, 'NOT_FOUND'));
          }
          if (req.method === 'POST' && req.url?.split('?')[0] === '/things') {
            if (/\[{100}|(\{"a":){100}/.test(text)) return send(500, problem(500, 'INTERNAL_ERROR'));
            let body: unknown;
            try {
              body = JSON.parse(text);
            } catch {
              return send(400, problem(400, 'MALFORMED_JSON'));
            }
            const name = (body as { name?: unknown } | null)?.name;
            if (typeof name !== 'string' || name.length < 1 || name.length > 20) {
              if (body && typeof body === 'object' && !Array.isArray(body) && !('name' in body)) await db.query('INSERT INTO svc.refusals DEFAULT VALUES');
              return send(400, problem(400, 'VALIDATION_FAILED'));
            }
            if (req.url !== '/things') return send(400, problem(400, 'VALIDATION_FAILED'));
            await db.query('INSERT INTO svc.things VALUES ($1)', [name]);
            return send(201, JSON.stringify({ name }), 'application/json');
          }
          return send(404, problem(404, 'ROUTE_NOT_FOUND'));
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await db?.end();
    await env?.cleanup();
  });

  it('reports the 5xx, the 4xx that is not problem+json and the refusal that stored a row', async () => {
    const state = await StateProbe.connect(env.databaseUrl);
    const report = await new Fuzzer(doc, {
      baseUrl,
      principals: [{ name: 'user', headers: { authorization: 'Bearer x' } }],
      seed: 1,
      bodyCases: 12,
      knownIds: [],
      skip: new Map(),
      state,
    })
      .run()
      .finally(() => state.close());
    const found = (what: RegExp) => report.failures.filter((f) => f.problems.some((p) => what.test(p)));
    expect(found(/answered 500/).map((f) => f.label)).toEqual(expect.arrayContaining(['body: 5000 nested arrays', 'body: 5000 nested objects']));
    expect(found(/not application\/problem\+json/).every((f) => f.operation === 'things.get')).toBe(true);
    expect(found(/not application\/problem\+json/).length).toBeGreaterThan(5);
    const stored = found(/but changed svc\.refusals/);
    expect(stored.length).toBeGreaterThanOrEqual(1);
    expect(stored[0]!.operation).toBe('things.create');
    expect(found(/svc\.things/)).toEqual([]); // the accepted creates are not refusals
    expect(report.requests).toBeGreaterThan(report.replayed);
    expect(report.byStatus['201']).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
