import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { rejection as failure, TestEnv, type ManagedProcess } from '@saas/testing';
import { ensureBuilt, killAll, startFixture } from '../test/fixtures/harness.js';
import { SubjectNaming } from '@saas/messaging';
import { RpcClient } from '@saas/messaging';

// Hooks start real processes; the project's testTimeout does not reach hooks.
jest.setTimeout(60_000);

describe('RPC over NATS', () => {
  let env: TestEnv;
  let rpc: RpcClient;
  let orders: ManagedProcess;
  const procs: ManagedProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    env = await TestEnv.create('rpc');
    orders = await startFixture('orders', env.env(), procs);
    rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 5_000);
  });

  afterAll(async () => {
    await killAll(procs);
    await env?.cleanup();
  });

  it('answers a valid call', async () => {
    const result = await (rpc.callRaw('rpc.orders.create', { sku: 'A-1', qty: 2 }) as Promise<{ id: string; event_id: string }>);
    expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.event_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers SERVICE_UNAVAILABLE (503) at once when no replica of the service runs', async () => {
    const started = Date.now();
    const err = await failure(rpc.callRaw('rpc.inventory.reserve', { sku: 'A-1' }, { timeoutMs: 10_000 }));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.status).toBe(503);
    expect(err.extensions).toEqual({ service: 'inventory' });
  });

  it('answers SERVICE_UNAVAILABLE (503) for an operation the running service does not offer', async () => {
    const started = Date.now();
    const err = await failure(rpc.callRaw('rpc.orders.cancel', { id: 'x' }, { timeoutMs: 10_000 }));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('answers SERVICE_TIMEOUT (504) when the service does not answer in time', async () => {
    const started = Date.now();
    const err = await failure(rpc.callRaw('rpc.orders.slow', { ms: 3_000 }, { timeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err.code).toBe('SERVICE_TIMEOUT');
    expect(err.status).toBe(504);
  });

  it('carries a remote DomainException with its code, status, errors and extensions', async () => {
    const err = await failure(rpc.callRaw('rpc.orders.reject', { sku: 'B-2', qty: 1 }));
    expect(err.code).toBe('ORDER_REJECTED');
    expect(err.status).toBe(409);
    expect(err.message).toBe('SKU B-2 is out of stock.');
    expect(err.errors).toEqual([{ field: 'sku', message: 'out of stock' }]);
    expect(err.extensions).toEqual({ sku: 'B-2' });
  });

  it('refuses an invalid payload with VALIDATION_FAILED (400) naming the fields', async () => {
    const err = await failure(rpc.callRaw('rpc.orders.create', { sku: 'A-1', qty: 0, colour: 'red' }));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.status).toBe(400);
    expect(err.errors).toEqual(
      expect.arrayContaining([
        { field: 'colour', message: 'unknown field' },
        expect.objectContaining({ field: 'qty' }),
      ]),
    );
  });

  it('validates alike whether a route is answered directly or through Nest\'s pipeline (rpc.orders.slow keeps @MessagePattern)', async () => {
    const direct = await failure(rpc.callRaw('rpc.orders.create', { sku: 'A-1', qty: 1, colour: 'red' }));
    const nest = await failure(rpc.callRaw('rpc.orders.slow', { ms: 1, colour: 'red' }));
    for (const err of [direct, nest]) {
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.status).toBe(400);
      expect(err.errors).toEqual([{ field: 'colour', message: 'unknown field' }]);
    }
    expect(direct.message).toBe(nest.message);
  });

  it('turns a handler crash into INTERNAL_ERROR (500) with an error id and no internals', async () => {
    const err = await failure(rpc.callRaw('rpc.orders.crash', {}));
    expect(err.code).toBe('INTERNAL_ERROR');
    expect(err.status).toBe(500);
    const errorId = (err.extensions as { error_id?: string } | undefined)?.error_id;
    expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(err.message).toContain(errorId);
    const wire = JSON.stringify({ message: err.message, errors: err.errors, extensions: err.extensions });
    expect(wire).not.toMatch(/secret internal detail|\bat .*\.js|stack/);
    // The details stay in the service's log, findable by the error id.
    const line = await orders.waitForOutput(new RegExp(errorId!), 5_000);
    expect(line).toContain('secret internal detail');
    // Answered by the direct dispatch (ADR 0023), not Nest's pipeline: the stack says which ran it.
    expect(line).toContain('rpc-direct');
    expect(line).not.toContain('rpc-context-creator');
  });

  it('still answers after all of the above', async () => {
    await expect(rpc.callRaw('rpc.orders.slow', { ms: 0 })).resolves.toEqual({ slept_ms: 0 });
  });
});
