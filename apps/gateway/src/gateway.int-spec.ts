import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Body, Controller, Get, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { pino } from 'pino';
import { ServiceNames, type ServiceHealth } from '@saas/contracts';
import { loadConfig } from '@saas/config';
import { DomainException, toRpcError } from '@saas/errors';
import { ensureEventStream, RpcClient, SubjectNaming } from '@saas/messaging';
import { CORRELATION_HEADER, workContext } from '@saas/observability';
import { httpRequest, TestEnv, type HttpRequest } from '@saas/testing';
import { FakeIdentity } from '../test/fake-identity.js';
import { Public } from './auth/auth.decorators.js';
import { gatewayConfigSchema } from './config.js';
import { createGateway } from './gateway.js';

/** Set in beforeAll: an admin access token signed by the fake identity's key. */
const AUTH: Record<string, string> = {};
const BODY_LIMIT = 2048;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

class ProbeBody {
  @IsString()
  @MaxLength(50)
  name!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  seats?: number;
}

/** Exercises the gateway's global pipeline the way a feature controller would (public: no credentials needed). */
@Public()
@Controller('test')
class ProbeController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('echo')
  echo(@Body() body: ProbeBody) {
    return { received: body, correlation_id: workContext.correlationId() };
  }

  @Post('echo-rpc')
  echoRpc(@Body() body: ProbeBody) {
    return this.rpc.callRaw('rpc.probe.echo', body);
  }

  @Get('rpc')
  forward() {
    return this.rpc.callRaw('rpc.probe.echo', {});
  }

  @Get('silent')
  silent() {
    return this.rpc.callRaw('rpc.probe.silent', {});
  }

  @Get('domain')
  domain() {
    throw new DomainException('TENANT_NOT_FOUND', 'No tenant with that id.', { status: 404 });
  }

  @Get('crash')
  crash() {
    throw new Error('connection to db-primary.internal:5432 refused');
  }
}

/** Answers like a Nest NATS handler: `{ id, response }` or `{ id, err }`. */
function reply(msg: Msg, body: { response?: unknown; err?: unknown }): void {
  const { id } = msg.json<{ id: string }>();
  msg.respond(JSON.stringify({ id, ...body, isDisposed: true }));
}

function healthOf(service: string): ServiceHealth {
  return {
    service,
    status: 'ok',
    version: '0.1.0',
    uptime_s: 1,
    instance: `${service}-fake`,
    checks: { postgres: { status: 'ok', latency_ms: 1 } },
    consumers: [{ name: service, pending: 0, ack_pending: 0, redelivered: 0 }],
    dead_letters: 0,
  };
}

describe('gateway (in-process, real NATS and Postgres)', () => {
  let env: TestEnv;
  let nc: NatsConnection;
  let naming: SubjectNaming;
  let app: NestFastifyApplication;
  let baseUrl: string;
  const logLines: string[] = [];
  const subs: Subscription[] = [];
  const identity = new FakeIdentity();

  const inject = (opts: HttpRequest) => httpRequest(baseUrl, opts);

  /** Registers a fake responder on this run's prefixed subject. */
  function respond(subject: string, handler: (msg: Msg) => void): void {
    subs.push(nc.subscribe(naming.subject(subject), { callback: (_err, msg) => handler(msg) }));
  }

  beforeAll(async () => {
    env = await TestEnv.create('gateway');
    nc = await env.nats();
    naming = new SubjectNaming(env.prefix);
    await identity.serve(nc, naming);
    AUTH.authorization = `Bearer ${await identity.adminToken()}`;
    const config = loadConfig(
      'gateway',
      gatewayConfigSchema,
      env.env({
        // Every request of this file comes from 127.0.0.1: the limits are tested in rate-limit.int-spec.ts.
        RATE_LIMITS: 'anonymous:1000000,admin:1000000',
        BODY_LIMIT_BYTES: String(BODY_LIMIT),
        RPC_TIMEOUT_MS: '300',
        HEALTH_RPC_TIMEOUT_MS: '400',
        CORS_ORIGINS: 'https://console.example.test',
      }),
    );
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    app = await createGateway(config, { logger, extraControllers: [ProbeController], swaggerUi: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

    respond('rpc.probe.echo', (msg) => reply(msg, { response: { correlation_id: msg.headers?.get(CORRELATION_HEADER) ?? null, data: msg.json<{ data: unknown }>().data } }));
    respond('rpc.probe.silent', () => undefined); // never answers: the RPC times out
    await nc.flush();
  });

  let appClosed = false;

  afterAll(async () => {
    identity.stop();
    for (const s of subs) s.unsubscribe();
    if (!appClosed) await app?.close();
    await env?.cleanup();
  }, 30_000);

  describe('problem+json for every error', () => {
    function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string) {
      expect(res.statusCode).toBe(status);
      expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
      const problem = JSON.parse(res.body);
      expect(problem).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String), timestamp: expect.any(String) });
      expect(problem.type).toBe(`https://docs.saas-control-plane.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`);
      expect(problem.correlation_id).toBe(res.headers['x-request-id']);
      expect(res.body).not.toMatch(/\bat .*\.(ts|js):\d+/); // never a stack
      return problem;
    }

    it('answers an unknown route with 404 ROUTE_NOT_FOUND', async () => {
      const res = await inject({ method: 'GET', url: '/api/v1/nothing-here?x=1' });
      const problem = expectProblem(res, 404, 'ROUTE_NOT_FOUND');
      expect(problem.instance).toBe('/api/v1/nothing-here');
    });

    it('answers a known path with the wrong method with 404 ROUTE_NOT_FOUND too', async () => {
      expectProblem(await inject({ method: 'DELETE', url: '/health' }), 404, 'ROUTE_NOT_FOUND');
      expectProblem(await inject({ method: 'GET', url: '/test/echo' }), 404, 'ROUTE_NOT_FOUND');
    });

    it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
      const res = await inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"name": "a",' });
      expectProblem(res, 400, 'MALFORMED_JSON');
    });

    it('refuses JSON that tries prototype poisoning as malformed', async () => {
      const res = await inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"name":"a","__proto__":{"admin":true}}' });
      expectProblem(res, 400, 'MALFORMED_JSON');
    });

    // Regressions (issue 16, found by the fuzz suite): a 500 from a stack overflow, a 500 from Postgres,
    // and Fastify's own JSON for what its router refuses.
    it('refuses a body nested deeper than 32 levels with 400 VALIDATION_FAILED, not a stack overflow', async () => {
      // Within the test's 2 KiB body limit; the fuzz suite sends 5,000 levels.
      for (const payload of [`${'['.repeat(1_000)}${']'.repeat(1_000)}`, `{"name":${'{"a":'.repeat(300)}1${'}'.repeat(300)}}`]) {
        const problem = expectProblem(await inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload }), 400, 'VALIDATION_FAILED');
        expect(problem.errors[0].message).toMatch(/nest deeper than 32/);
      }
    });

    it('refuses U+0000 in a body or query string with 400 VALIDATION_FAILED naming the field', async () => {
      const problem = expectProblem(await inject({ method: 'POST', url: '/test/echo', payload: { name: 'a\u0000b', seats: 1 } }), 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual([{ field: 'name', message: 'must not contain the NUL character (U+0000)' }]);
      expectProblem(await inject({ method: 'GET', url: '/health?x=%00' }), 400, 'VALIDATION_FAILED');
    });

    it('answers a bad percent-encoding and an over-long path parameter as problem+json', async () => {
      expectProblem(await inject({ method: 'GET', url: '/api/v1/admin/dead-letters/tenants/%ff/replay' }), 400, 'MALFORMED_URL');
      expectProblem(await inject({ method: 'POST', url: `/api/v1/admin/dead-letters/tenants/${'a'.repeat(2_000)}/replay` }), 414, 'URI_TOO_LONG');
    });

    it('answers unknown fields with 400 VALIDATION_FAILED naming each of them', async () => {
      const res = await inject({ method: 'POST', url: '/test/echo', payload: { name: 'acme', role: 'admin', owner_id: 'x' } });
      const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual(
        expect.arrayContaining([
          { field: 'role', message: 'unknown field' },
          { field: 'owner_id', message: 'unknown field' },
        ]),
      );
    });

    it('answers invalid fields and non-object bodies with 400 VALIDATION_FAILED', async () => {
      const bad = expectProblem(await inject({ method: 'POST', url: '/test/echo', payload: { name: 42, seats: 0 } }), 400, 'VALIDATION_FAILED');
      expect(bad.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'name', 'seats']);
      expectProblem(await inject({ method: 'POST', url: '/test/echo', payload: [1, 2] }), 400, 'VALIDATION_FAILED');
    });

    it('accepts a valid body and hands the handler the validated DTO', async () => {
      const res = await inject({ method: 'POST', url: '/test/echo', payload: { name: 'acme', seats: 3 } });
      expect(res.statusCode).toBe(201);
      expect(res.json().received).toEqual({ name: 'acme', seats: 3 });
    });

    it('answers a body over BODY_LIMIT_BYTES with 413 PAYLOAD_TOO_LARGE', async () => {
      const payload = JSON.stringify({ name: 'x'.repeat(BODY_LIMIT) });
      const problem = expectProblem(await inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload }), 413, 'PAYLOAD_TOO_LARGE');
      expect(problem.limit_bytes).toBe(BODY_LIMIT);
    });

    it('answers 413 over a real socket too, also for a chunked body without Content-Length', async () => {
      const big = JSON.stringify({ name: 'x'.repeat(BODY_LIMIT * 4) });
      const res = await fetch(`${baseUrl}/test/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');

      const chunked = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? '{"name":"' : 'x'.repeat(1024)));
          controller.close();
        },
      });
      const res2 = await fetch(`${baseUrl}/test/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunked, duplex: 'half' } as RequestInit);
      expect(res2.status).toBe(413);
      expect(((await res2.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])('answers a %s body with 415 UNSUPPORTED_MEDIA_TYPE', async (type) => {
      const res = await inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': type }, payload: 'name=acme' });
      const problem = expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(problem.detail).toContain(type);
    });

    it('answers a DomainException with its own status and code', async () => {
      const problem = expectProblem(await inject({ method: 'GET', url: '/test/domain' }), 404, 'TENANT_NOT_FOUND');
      expect(problem.detail).toBe('No tenant with that id.');
    });

    it('answers anything else with 500 INTERNAL_ERROR carrying only an error id, and logs the real error under it', async () => {
      const res = await inject({ method: 'GET', url: '/test/crash', headers: { 'x-request-id': 'crash-1' } });
      const problem = expectProblem(res, 500, 'INTERNAL_ERROR');
      expect(problem.error_id).toMatch(UUID);
      expect(problem.detail).toContain(problem.error_id);
      expect(res.body).not.toContain('db-primary');
      const logged = logLines.map((l) => JSON.parse(l)).find((l) => l.error_id === problem.error_id);
      expect(logged).toMatchObject({ level: 50, correlation_id: 'crash-1', err: { message: 'connection to db-primary.internal:5432 refused' } });
    });
  });

  describe('X-Request-Id', () => {
    it('echoes an acceptable id on success, errors and 404s alike', async () => {
      for (const url of ['/health', '/test/domain', '/no/such/route']) {
        const res = await inject({ method: 'GET', url, headers: { 'x-request-id': 'req-42.a:b_c' } });
        expect(res.headers['x-request-id']).toBe('req-42.a:b_c');
      }
    });

    it('replaces an unacceptable id and generates one when absent', async () => {
      const replaced = await inject({ method: 'GET', url: '/test/domain', headers: { 'x-request-id': 'has spaces & <html>' } });
      expect(replaced.headers['x-request-id']).toMatch(UUID);
      expect(replaced.json().correlation_id).toBe(replaced.headers['x-request-id']);
      const tooLong = await inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'a'.repeat(129) } });
      expect(tooLong.headers['x-request-id']).toMatch(UUID);
      const generated = await inject({ method: 'GET', url: '/health' });
      expect(generated.headers['x-request-id']).toMatch(UUID);
    });

    it('travels to the services as the RPC correlation id, for GET and for body routes', async () => {
      const get = await inject({ method: 'GET', url: '/test/rpc', headers: { 'x-request-id': 'corr-get-1' } });
      expect(get.json()).toEqual({ correlation_id: 'corr-get-1', data: {} });
      const post = await fetch(`${baseUrl}/test/echo-rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'corr-post-1' },
        body: JSON.stringify({ name: 'acme' }),
      });
      expect(await post.json()).toEqual({ correlation_id: 'corr-post-1', data: { name: 'acme' } });
    });

    it('keeps concurrent requests apart', async () => {
      const ids = Array.from({ length: 25 }, (_, i) => `concurrent-${i}`);
      const answers = await Promise.all(
        ids.map(async (id) => {
          const res = await fetch(`${baseUrl}/test/echo-rpc`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-request-id': id },
            body: JSON.stringify({ name: id }),
          });
          return (await res.json()) as { correlation_id: string; data: { name: string } };
        }),
      );
      for (const a of answers) expect(a.correlation_id).toBe(a.data.name);
    });
  });

  describe('forwarding over NATS', () => {
    it('answers an RPC to a service that is not running with 503 problem+json within a second', async () => {
      const started = Date.now();
      const res = await fetch(`${baseUrl}/api/v1/admin/dead-letters?service=billing`, { headers: { ...AUTH, 'x-request-id': 'no-billing-1' } });
      const elapsed = Date.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('x-request-id')).toBe('no-billing-1');
      expect(await res.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', correlation_id: 'no-billing-1', service: 'billing' });
      expect(elapsed).toBeLessThan(1000);
    });

    it('answers an RPC that is not answered in time with 504 SERVICE_TIMEOUT', async () => {
      const res = await inject({ method: 'GET', url: '/test/silent' });
      expect(res.statusCode).toBe(504);
      expect(res.json()).toMatchObject({ code: 'SERVICE_TIMEOUT' });
    });

    it('passes a service’s domain error through with its status and code', async () => {
      const id = '5b8f1d2e-0c3a-4e59-9a77-1c2d3e4f5a6b';
      respond('rpc.identity.dead-letters.replay', (msg) =>
        reply(msg, { err: toRpcError(new DomainException('DEAD_LETTER_NOT_FOUND', `No dead letter ${msg.json<{ data: { id: string } }>().data.id}.`, { status: 404 })) }),
      );
      await nc.flush();
      const res = await inject({ method: 'POST', url: `/api/v1/admin/dead-letters/identity/${id}/replay`, headers: AUTH });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'DEAD_LETTER_NOT_FOUND', detail: `No dead letter ${id}.` });
    });
  });

  describe('admin dead letters', () => {
    it('answers 401 problem without a token or with a bad one, and 403 to a non-admin', async () => {
      for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token' }] as Array<Record<string, string>>) {
        const res = await inject({ method: 'GET', url: '/api/v1/admin/dead-letters', headers });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
      const replay = await inject({ method: 'POST', url: '/api/v1/admin/dead-letters/tenants/5b8f1d2e-0c3a-4e59-9a77-1c2d3e4f5a6b/replay' });
      expect(replay.statusCode).toBe(401);
      const user = await inject({ method: 'GET', url: '/api/v1/admin/dead-letters', headers: { authorization: `Bearer ${await identity.token()}` } });
      expect(user.statusCode).toBe(403);
      expect(user.json()).toMatchObject({ code: 'FORBIDDEN' });
    });

    it.each([
      ['an unknown service', '?service=payroll', 'service'],
      ['page_size over 100', '?page_size=101', 'page_size'],
      ['page 0', '?page=0', 'page'],
      ['an unknown status', '?status=lost', 'status'],
      ['an unsupported query field', '?search=x', 'search'],
    ])('refuses %s with 400 VALIDATION_FAILED', async (_why, query, field) => {
      const res = await inject({ method: 'GET', url: `/api/v1/admin/dead-letters${query}`, headers: AUTH });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('refuses a replay of an unknown service or a non-UUID id with 400', async () => {
      const badService = await inject({ method: 'POST', url: '/api/v1/admin/dead-letters/payroll/5b8f1d2e-0c3a-4e59-9a77-1c2d3e4f5a6b/replay', headers: AUTH });
      expect(badService.json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ field: 'service' }] });
      const badId = await inject({ method: 'POST', url: '/api/v1/admin/dead-letters/tenants/42/replay', headers: AUTH });
      expect(badId.json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ field: 'id' }] });
    });

    it('lists one service as a Page with absolute links that keep the filters', async () => {
      const letters = Array.from({ length: 5 }, (_, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, parked_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 10 - i)).toISOString() }));
      const asked: unknown[] = [];
      respond('rpc.webhooks.dead-letters.list', (msg) => {
        const data = msg.json<{ data: { page: number; page_size: number } }>().data;
        asked.push(data);
        const from = (data.page - 1) * data.page_size;
        reply(msg, { response: { count: letters.length, results: letters.slice(from, from + data.page_size) } });
      });
      await nc.flush();
      const res = await inject({ method: 'GET', url: '/api/v1/admin/dead-letters?service=webhooks&page=2&page_size=2', headers: { ...AUTH, host: 'cp.example.test' } });
      expect(res.statusCode).toBe(200);
      expect(asked).toEqual([{ status: 'parked', page: 2, page_size: 2 }]);
      expect(res.json()).toEqual({
        count: 5,
        next: 'http://cp.example.test/api/v1/admin/dead-letters?service=webhooks&page=3&page_size=2',
        previous: 'http://cp.example.test/api/v1/admin/dead-letters?service=webhooks&page=1&page_size=2',
        results: letters.slice(2, 4),
      });
    });
  });

  describe('health', () => {
    it('GET /health is liveness only', async () => {
      const res = await inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok', version: expect.any(String), timestamp: expect.any(String) });
    });

    it('GET /api/health/ (seed 003) tells the truth: 503 unhealthy, naming what is down, while no service runs', async () => {
      for (const url of ['/api/health/', '/api/health']) {
        const res = await inject({ method: 'GET', url });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toMatchObject({ status: 'unhealthy', problems: expect.arrayContaining(ServiceNames.map((s) => `services.${s}`)) });
      }
    });

    it('GET /health/detailed answers 503 quickly when no service runs, naming each one', async () => {
      const started = Date.now();
      const res = await inject({ method: 'GET', url: '/health/detailed' });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(res.statusCode).toBe(503);
      const report = res.json();
      expect(report.status).toBe('down');
      for (const s of ServiceNames) expect(report.services[s]).toMatchObject({ status: 'down', error: { code: 'SERVICE_UNAVAILABLE' } });
      expect(report.postgres.status).toBe('ok');
      expect(report.nats.status).toBe('ok');
      expect(report.gateway.status).toBe('ok');
    });

    it('GET /health/detailed answers 200 ok when every service answers and the stream exists', async () => {
      await ensureEventStream(await jetstreamManager(nc), naming);
      for (const s of ServiceNames) respond(`rpc.${s}.health`, (msg) => reply(msg, { response: healthOf(s) }));
      await nc.flush();
      const res = await inject({ method: 'GET', url: '/health/detailed' });
      const report = res.json();
      expect(res.statusCode).toBe(200);
      expect(report.status).toBe('ok');
      expect(report.services.billing).toMatchObject({ status: 'ok', instance: 'billing-fake', version: '0.1.0', latency_ms: expect.any(Number) });
      expect(report.jetstream).toMatchObject({ status: 'ok', stream: { name: env.streamName } });
      expect(report.jetstream.consumers).toHaveLength(ServiceNames.length);
      for (const url of ['/api/health/', '/api/health']) {
        const legacy = await inject({ method: 'GET', url });
        expect({ status: legacy.statusCode, body: legacy.json() }).toEqual({ status: 200, body: { status: 'healthy', message: 'Control Plane API is running' } });
      }
    });
  });

  describe('documentation, headers and metrics', () => {
    it('serves the OpenAPI 3 document at /docs/openapi.json', async () => {
      const res = await inject({ method: 'GET', url: '/docs/openapi.json' });
      expect(res.statusCode).toBe(200);
      const doc = res.json();
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info.title).toBe('SaaS Control Plane API');
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(doc.components.schemas.Problem.properties.code).toBeDefined();
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/health/detailed', '/api/v1/admin/dead-letters', '/api/v1/admin/dead-letters/{service}/{id}/replay']));
      expect(doc.paths['/api/v1/admin/dead-letters'].get.responses['503'].content['application/problem+json'].schema.$ref).toBe('#/components/schemas/Problem');
      expect(doc.paths['/metrics']).toBeUndefined();
    });

    it('sets security headers on every response', async () => {
      for (const url of ['/health', '/nowhere']) {
        const res = await inject({ method: 'GET', url });
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['content-security-policy']).toBeDefined();
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      }
    });

    it('answers CORS for configured origins only', async () => {
      const preflight = await inject({
        method: 'OPTIONS',
        url: '/api/v1/admin/dead-letters',
        headers: { origin: 'https://console.example.test', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://console.example.test');
      const simple = await inject({ method: 'GET', url: '/health', headers: { origin: 'https://console.example.test' } });
      expect(String(simple.headers['access-control-expose-headers'])).toContain('x-request-id');
      const other = await inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example.test' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('exposes Prometheus metrics with per-route HTTP durations', async () => {
      await inject({ method: 'GET', url: '/health' });
      const res = await inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/saas_http_request_duration_seconds_count\{[^}]*method="GET",route="\/health",status="200"\}/);
      expect(res.body).toMatch(/route="unmatched",status="404"/);
    });
  });

  // Last: it closes the app.
  describe('shutdown', () => {
    it('answers the requests in flight, closes their keep-alive connections, then stops', async () => {
      const agent = new Agent({ keepAlive: true });
      const inFlight = httpRequest(baseUrl, { method: 'GET', url: '/test/silent', agent });
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      const closed = app.close().then(() => (appClosed = true));
      const res = await inFlight;
      expect(res.statusCode).toBe(504); // its RPC ran to its own timeout: the request was not cut off
      expect(res.headers.connection).toBe('close');
      await closed;
      expect(Date.now() - started).toBeLessThan(2_000);
      agent.destroy();
    });
  });
});
