import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { pino } from 'pino';
import { loadConfig } from '@saas/config';
import { httpRequest, REPO_ROOT, TestEnv } from '@saas/testing';
import { gatewayConfigSchema } from '../config.js';
import { createGateway, routesOf } from '../gateway.js';
import { collectRouteHandlers } from './openapi-routes.js';

/** A route as another branch might add it: no Swagger decorator at all, DTOs with validation rules only. */
class WidgetParams {
  @IsUUID() id!: string;
}
class CreateWidgetBody {
  @IsString() @MaxLength(40) name!: string;
  @IsOptional() @IsIn(['small', 'large']) size?: string;
  @IsOptional() @IsInt() @Min(1) @Max(9) count?: number;
}
@Controller('api/v1/widgets')
class WidgetsController {
  @Post(':id/parts')
  @HttpCode(202)
  addPart(@Param() params: WidgetParams, @Body() body: CreateWidgetBody) {
    return { ...params, ...body };
  }
}

/** Routes that are not API operations: the document itself and Prometheus' text endpoint. */
const NOT_IN_DOCUMENT = ['GET /docs/openapi.json', 'GET /metrics'];
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface Operation {
  operationId: string;
  summary?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Record<string, unknown> }>;
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = { paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>; components: { schemas: Record<string, { required?: string[] }> } };

/** What the "every 2xx has a schema" check says about a route without one: enough to fix it. */
const withoutSchemaMessage = (operationId: string, method: string, p: string, status: string) =>
  `${operationId} (${method.toUpperCase()} ${p}) answers ${status} without a schema: put @ApiResult(ViewDto) or @ApiPageResponse(ItemViewDto) (apps/gateway/src/http/api-result.ts) on its handler, with a response class beside its contract view (\`…ViewDto implements …View\`)`;

const operations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => ({ method: m, path: p, op: item[m]! })));

/**
 * The OpenAPI document as the running gateway serves it (issue 14): lint-clean with Redocly's
 * recommended rules, every registered route in it, and what it says about security is what the
 * gateway enforces.
 */
describe('the OpenAPI document', () => {
  let env: TestEnv;
  let app: NestFastifyApplication;
  let baseUrl: string;
  let doc: Document;
  let dir: string;

  beforeAll(async () => {
    env = await TestEnv.create('gw_openapi');
    const config = loadConfig('gateway', gatewayConfigSchema, env.env({ RATE_LIMITS: 'anonymous:1000000,standard:1000000,admin:1000000', RPC_TIMEOUT_MS: '500' }));
    app = await createGateway(config, { logger: pino({ level: 'silent' }), swaggerUi: false, extraControllers: [WidgetsController] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    doc = (await httpRequest(baseUrl, { method: 'GET', url: '/docs/openapi.json' })).json();
    dir = mkdtempSync(path.join(tmpdir(), 'openapi-'));
  });

  afterAll(async () => {
    await app?.close();
    await env?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('passes `redocly lint --extends recommended` with no error and no warning', async () => {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const cli = path.join(REPO_ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
    const run = promisify(execFile)(process.execPath, [cli, 'lint', '--extends', 'recommended', '--format', 'json', file], {
      cwd: dir,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const report = JSON.parse((await run).stdout) as { problems: Array<{ severity: string; ruleId: string; message: string; location: Array<{ pointer: string }> }> };
    expect(report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
  }, 60_000);

  it('has every route the gateway registered, and nothing it did not', () => {
    const registered = routesOf(app)
      .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !r.url.startsWith('/docs/') && r.url !== '/docs')
      .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    const documented = operations(doc).map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(registered.filter((r) => !documented.includes(r) && !NOT_IN_DOCUMENT.includes(r))).toEqual([]);
    expect(documented.filter((d) => !registered.includes(d))).toEqual([]);
    expect(new Set(operations(doc).map((o) => o.op.operationId)).size).toBe(documented.length);
  });

  it('marks exactly the routes that answer without credentials public (`security: []`)', async () => {
    for (const { method, path: p, op } of operations(doc)) {
      const url = p.replace(/\{[^}]+\}/g, '5b8f1d2e-0c3a-4e59-9a77-1c2d3e4f5a6b');
      const res = await httpRequest(baseUrl, { method: method.toUpperCase(), url, ...(['post', 'put', 'patch'].includes(method) ? { payload: {} } : {}) });
      expect({ route: `${method} ${p}`, public: res.statusCode !== 401 }).toEqual({ route: `${method} ${p}`, public: op.security?.length === 0 });
      if (op.security?.length !== 0) expect(op.security).toEqual([{ bearer: [] }, { api_key: [] }]);
    }
  }, 60_000);

  it('documents a route that has no Swagger decorator from its route, guard and DTOs alone', () => {
    const op = doc.paths['/api/v1/widgets/{id}/parts']!.post!;
    expect(op.operationId).toBe('widgets.addPart');
    expect(op.summary).toBe('Widgets add part');
    expect(op.security).toEqual([{ bearer: [] }, { api_key: [] }]);
    expect(op.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true, schema: expect.objectContaining({ type: 'string', format: 'uuid' }) })]);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['202', '401', '429']));
    expect(doc.components.schemas.CreateWidgetBody).toEqual({
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', maxLength: 40 },
        size: { type: 'string', enum: ['small', 'large'] },
        count: { type: 'integer', minimum: 1, maximum: 9 },
      },
    });
  });

  it('gives every 2xx response with a body a schema (a route without one is named, with what to add)', () => {
    const missing = operations(doc).flatMap(({ method, path: p, op }) =>
      Object.entries(op.responses)
        .filter(([status, response]) => /^2/.test(status) && status !== '204' && !Object.values((response.content ?? {}) as Record<string, { schema?: unknown }>).some((c) => c.schema))
        .map(([status]) => withoutSchemaMessage(op.operationId, method, p, status)),
    );
    // The test-only widget route has no response class on purpose: this is what a route someone adds without one reads.
    expect(missing).toEqual([withoutSchemaMessage('widgets.addPart', 'post', '/api/v1/widgets/{id}/parts', '202')]);
  });

  it('documents each success at the status its route answers, and no list without its item schema', () => {
    const statuses = new Map(collectRouteHandlers(app).map((r) => [`${r.method} ${r.path}`, r.status]));
    for (const { method, path: p, op } of operations(doc)) {
      const status = statuses.get(`${method} ${p}`);
      if (status === undefined) continue; // the session routes, documented by hand in session.route.ts
      expect({ operation: op.operationId, documented: Object.keys(op.responses).filter((s) => /^2/.test(s)) }).toEqual({ operation: op.operationId, documented: [String(status)] });
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = (response.content?.['application/json'] as { schema?: unknown } | undefined)?.schema;
        if (JSON.stringify(schema) === JSON.stringify({ $ref: '#/components/schemas/Page' })) throw new Error(`${op.operationId} ${status}: a bare Page; say its item with @ApiPageResponse(ItemViewDto)`);
      }
    }
  });

  it('declares every path parameter, a 2xx and problem+json errors, with request bodies from the contract classes', () => {
    for (const { path: p, op } of operations(doc)) {
      for (const [, name] of p.matchAll(/\{([^}]+)\}/g)) expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name, in: 'path', required: true })]));
      expect(Object.keys(op.responses).some((s) => s.startsWith('2'))).toBe(true);
      // A health check's 503 is its report (what is down), not a problem.
      const errorType = op.operationId.startsWith('health.') ? { '503': 'application/json' } : {};
      for (const [status, response] of Object.entries(op.responses)) {
        if (/^[45]/.test(status)) expect({ status, content: Object.keys(response.content ?? {}) }).toEqual({ status, content: [(errorType as Record<string, string>)[status] ?? 'application/problem+json'] });
      }
    }
    const get = doc.paths['/api/v1/tenants/{id}']!.get!;
    expect(get.operationId).toBe('tenants.get');
    expect(get.parameters).toContainEqual(expect.objectContaining({ name: 'id', in: 'path', schema: expect.objectContaining({ format: 'uuid' }) }));
    expect(doc.components.schemas.CreateTenantBody!.required).toEqual(['name']);
    expect(get.responses['200']!.content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/TenantViewDto' } } });
    expect(doc.components.schemas.TenantViewDto!.required).toEqual(expect.arrayContaining(['id', 'name', 'slug', 'status', 'status_url', 'admin_password_set']));
    expect(doc.paths['/api/v1/tenants']!.get!.responses['200']!.content).toEqual({
      'application/json': { schema: { allOf: [{ $ref: '#/components/schemas/Page' }, { type: 'object', required: ['results'], properties: { results: { type: 'array', items: { $ref: '#/components/schemas/TenantViewDto' } } } }] } },
    });
    expect(doc.paths['/api/v1/tenants']!.get!.parameters!.map((q) => q.name)).toEqual(expect.arrayContaining(['page', 'page_size', 'status', 'plan', 'search', 'ordering']));
  });
});
