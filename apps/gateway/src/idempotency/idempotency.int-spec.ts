import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { FastifyReply } from 'fastify';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { pino } from 'pino';
import { loadConfig } from '@saas/config';
import { DomainException } from '@saas/errors';
import { SubjectNaming } from '@saas/messaging';
import { httpRequest, TestEnv } from '@saas/testing';
import { FakeIdentity } from '../../test/fake-identity.js';
import { Public } from '../auth/auth.decorators.js';
import { gatewayConfigSchema } from '../config.js';
import { createGateway } from '../gateway.js';
import { idempotencyBucketName } from './idempotency.store.js';
import { Idempotent } from './idempotent.decorator.js';

class ThingBody {
  @IsString()
  name!: string;

  @IsOptional()
  @IsInt()
  delay_ms?: number;
}

let executions = 0;
let failNext = false;

/** A route that creates something, the way a feature controller marks it. */
@Public()
@Controller('test/things')
class ThingsController {
  @Post()
  @Idempotent()
  async create(@Body() body: ThingBody, @Res({ passthrough: true }) reply: FastifyReply) {
    executions++;
    if (body.delay_ms) await new Promise((r) => setTimeout(r, body.delay_ms));
    if (failNext) {
      failNext = false;
      throw new DomainException('SERVICE_UNAVAILABLE', 'down for a moment', { status: 503 });
    }
    const id = randomUUID();
    void reply.header('location', `/test/things/${id}`);
    return { id, name: body.name };
  }

  @Post('accepted')
  @HttpCode(202)
  @Idempotent()
  accept(@Body() body: ThingBody) {
    executions++;
    return { operation: randomUUID(), name: body.name };
  }
}

/** A gateway with the test routes on a world of its own (its KV bucket removed afterwards), for one describe block. */
function gatewayWorld(label: string, extraEnv: Record<string, string> = {}) {
  const world = { env: undefined as unknown as TestEnv, app: undefined as unknown as NestFastifyApplication, baseUrl: '', identity: new FakeIdentity() };
  beforeAll(async () => {
    world.env = await TestEnv.create(label);
    await world.identity.serve(await world.env.nats(), new SubjectNaming(world.env.prefix));
    const config = loadConfig('gateway', gatewayConfigSchema, world.env.env({ RATE_LIMITS: 'anonymous:100000,standard:100000', TRUST_PROXY: 'true', ...extraEnv }));
    world.app = await createGateway(config, { logger: pino({ level: 'silent' }), swaggerUi: false, extraControllers: [ThingsController] });
    await world.app.listen({ port: 0, host: '127.0.0.1' });
    world.baseUrl = `http://127.0.0.1:${(world.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    world.identity.stop();
    await world.app?.close();
    const jsm = await jetstreamManager(await world.env.nats());
    await jsm.streams.delete(`KV_${idempotencyBucketName(world.env.prefix)}`).catch(() => undefined);
    await world.env?.cleanup();
  }, 30_000);
  return world;
}

describe('Idempotency-Key (in-process, JetStream KV)', () => {
  const world = gatewayWorld('gw_idem');
  const identity = world.identity;
  const post = (body: object, headers: Record<string, string> = {}, url = '/test/things') => httpRequest(world.baseUrl, { method: 'POST', url, headers, payload: body });

  it('replays the first response for the same key and body, marked Idempotent-Replayed', async () => {
    const key = randomUUID();
    const before = executions;
    const first = await post({ name: 'a' }, { 'idempotency-key': key });
    const again = await post({ name: 'a' }, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(executions).toBe(before + 1);
  });

  it('replays a 202 as a 202', async () => {
    const key = randomUUID();
    const first = await post({ name: 'op' }, { 'idempotency-key': key }, '/test/things/accepted');
    const again = await post({ name: 'op' }, { 'idempotency-key': key }, '/test/things/accepted');
    expect([first.statusCode, again.statusCode]).toEqual([202, 202]);
    expect(again.json()).toEqual(first.json());
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body', async () => {
    const key = randomUUID();
    await post({ name: 'a' }, { 'idempotency-key': key });
    const other = await post({ name: 'b' }, { 'idempotency-key': key });
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(other.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('answers 409 IDEMPOTENCY_KEY_IN_PROGRESS while the first request is still running', async () => {
    const key = randomUUID();
    const slow = post({ name: 'slow', delay_ms: 600 }, { 'idempotency-key': key });
    await new Promise((r) => setTimeout(r, 150));
    const during = await post({ name: 'slow', delay_ms: 600 }, { 'idempotency-key': key });
    expect(during.statusCode).toBe(409);
    expect(during.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS' });
    const first = await slow;
    expect(first.statusCode).toBe(201);
    const after = await post({ name: 'slow', delay_ms: 600 }, { 'idempotency-key': key });
    expect(after.headers['idempotent-replayed']).toBe('true');
    expect(after.json()).toEqual(first.json());
  });

  it('scopes keys per caller: another client (IP or user) with the same key runs its own request', async () => {
    const key = randomUUID();
    const a = await post({ name: 'x' }, { 'idempotency-key': key, 'x-forwarded-for': '203.0.113.1' });
    const b = await post({ name: 'x' }, { 'idempotency-key': key, 'x-forwarded-for': '203.0.113.2' });
    const user = await post({ name: 'x' }, { 'idempotency-key': key, 'x-forwarded-for': '203.0.113.1', authorization: `Bearer ${await identity.token()}` });
    expect(new Set([a.json().id, b.json().id, user.json().id]).size).toBe(3);
    expect([a, b, user].map((r) => r.headers['idempotent-replayed'])).toEqual([undefined, undefined, undefined]);
  });

  it('records nothing for a failed request: the key can be retried', async () => {
    const key = randomUUID();
    failNext = true;
    expect((await post({ name: 'retry' }, { 'idempotency-key': key })).statusCode).toBe(503);
    const retried = await post({ name: 'retry' }, { 'idempotency-key': key });
    expect(retried.statusCode).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });

  it('runs every request without a key, and refuses an unusable key with 400', async () => {
    const before = executions;
    await post({ name: 'n' });
    await post({ name: 'n' });
    expect(executions).toBe(before + 2);
    const bad = await post({ name: 'n' }, { 'idempotency-key': 'x'.repeat(300) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'Idempotency-Key' }] });
  });
});

describe('Idempotency-Key leases (IDEMPOTENCY_LOCK_S = 1 s)', () => {
  const world = gatewayWorld('gw_idem_lease', { IDEMPOTENCY_LOCK_S: '1' });
  const post = (body: object, headers: Record<string, string> = {}) => httpRequest(world.baseUrl, { method: 'POST', url: '/test/things', headers, payload: body });
  const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

  // Before, the lock was never renewed: a retry 1.8 s into a 3 s request took it over and ran it twice.
  it('keeps the key of a request that runs longer than the lease: retries meanwhile get 409, it runs once', async () => {
    const key = randomUUID();
    const before = executions;
    const slow = post({ name: 'long', delay_ms: 3_000 }, { 'idempotency-key': key, 'x-forwarded-for': '203.0.113.50' });
    await new Promise((r) => setTimeout(r, 1_800));
    const during = await post({ name: 'long', delay_ms: 3_000 }, { 'idempotency-key': key, 'x-forwarded-for': '203.0.113.50' });
    expect(during.statusCode).toBe(409);
    expect((await slow).statusCode).toBe(201);
    expect(executions).toBe(before + 1);
    expect((await post({ name: 'long', delay_ms: 3_000 }, { 'idempotency-key': key, 'x-forwarded-for': '203.0.113.50' })).headers['idempotent-replayed']).toBe('true');
  }, 20_000);

  it('lets a retry take over the key of a gateway that died mid-request once its lease ran out', async () => {
    const header = randomUUID();
    const body = { name: 'orphan' };
    // What a replica killed mid-request leaves behind: its in-progress lock, renewed no more.
    const kv = await new Kvm(await world.env.nats()).open(idempotencyBucketName(world.env.prefix));
    const key = sha256(`ip:203.0.113.60\nPOST\n/test/things\n${header}`);
    await kv.create(key, JSON.stringify({ state: 'in_progress', fingerprint: sha256(JSON.stringify(body)), started_at: Date.now() }));
    expect((await post(body, { 'idempotency-key': header, 'x-forwarded-for': '203.0.113.60' })).statusCode).toBe(409);
    await new Promise((r) => setTimeout(r, 1_200));
    const retried = await post(body, { 'idempotency-key': header, 'x-forwarded-for': '203.0.113.60' });
    expect(retried.statusCode).toBe(201);
    expect(retried.json()).toMatchObject({ name: 'orphan' });
  });
});
