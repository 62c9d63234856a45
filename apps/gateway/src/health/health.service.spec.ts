import { describe, expect, it } from '@jest/globals';
import type { NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import { ServiceNames, type ServiceHealth, type ServiceName } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import type { RpcClient } from '@saas/messaging';
import { SubjectNaming } from '@saas/messaging';
import { HealthService, overallStatus } from './health.service.js';
import type { ComponentHealth, ServiceEntry } from './health.types.js';

const OK: ComponentHealth = { status: 'ok' };
const DOWN: ComponentHealth = { status: 'down' };

function healthOf(service: string): ServiceHealth {
  return {
    service,
    status: 'ok',
    version: '1.2.3',
    uptime_s: 5,
    instance: `${service}-1`,
    checks: { postgres: { status: 'ok', latency_ms: 1 } },
    consumers: [{ name: service, pending: 3, ack_pending: 1, redelivered: 0 }],
    dead_letters: 0,
  };
}

function services(status: (s: ServiceName) => 'ok' | 'down'): Record<ServiceName, ServiceEntry> {
  return Object.fromEntries(
    ServiceNames.map((s) => [
      s,
      status(s) === 'ok'
        ? { ...healthOf(s), latency_ms: 1 }
        : { status: 'down', latency_ms: 1, error: { code: 'SERVICE_UNAVAILABLE', detail: 'x' } },
    ]),
  ) as Record<ServiceName, ServiceEntry>;
}

describe('overallStatus', () => {
  it('is ok only when every service and dependency is ok', () => {
    expect(overallStatus(services(() => 'ok'), OK, OK, OK)).toBe('ok');
    expect(overallStatus(services(() => 'ok'), OK, OK, DOWN)).toBe('degraded');
    expect(overallStatus(services((s) => (s === 'billing' ? 'down' : 'ok')), OK, OK, OK)).toBe('degraded');
  });

  it('is down when NATS or Postgres is down, or no service answers', () => {
    expect(overallStatus(services(() => 'ok'), OK, DOWN, OK)).toBe('down');
    expect(overallStatus(services(() => 'ok'), DOWN, OK, OK)).toBe('down');
    expect(overallStatus(services(() => 'down'), OK, OK, OK)).toBe('down');
  });
});

/** A HealthService over fakes: `answer` decides each service's health RPC. */
function healthService(answer: (service: ServiceName, timeoutMs: number) => Promise<unknown>, opts: { pgHangs?: boolean; streamMissing?: boolean } = {}) {
  const rpc = {
    call: (subject: string, _data: unknown, o: { timeoutMs: number }) => answer(subject.split('.')[1] as ServiceName, o.timeoutMs),
  } as unknown as RpcClient;
  const nats = { isClosed: () => false, rtt: async () => 1 } as unknown as NatsConnection;
  const pool = { query: () => (opts.pgHangs ? new Promise(() => undefined) : Promise.resolve({ rows: [] })) } as unknown as pg.Pool;
  const svc = new HealthService(rpc, new SubjectNaming('unit_gw.'), nats, pool, { HEALTH_RPC_TIMEOUT_MS: 200 }, { version: '9.9.9', instance: 'gw-1', startedAt: Date.now() });
  const streams = {
    info: async (name: string) => {
      if (opts.streamMissing) throw new Error('stream not found');
      return { state: { messages: 4, bytes: 400, first_seq: 1, last_seq: 4, consumer_count: 6 }, name };
    },
  };
  (svc as unknown as { jsm: Promise<unknown> }).jsm = Promise.resolve({ streams });
  return svc;
}

describe('HealthService.detailed', () => {
  it('reports every service, the dependencies, the stream and each consumer lag', async () => {
    const report = await healthService(async (s) => healthOf(s)).detailed();
    expect(report.status).toBe('ok');
    expect(report.gateway).toMatchObject({ status: 'ok', version: '9.9.9', instance: 'gw-1' });
    expect(Object.keys(report.services)).toEqual([...ServiceNames]);
    expect(report.services.billing).toMatchObject({ status: 'ok', version: '1.2.3', instance: 'billing-1', checks: { postgres: { status: 'ok' } } });
    expect(report.postgres.status).toBe('ok');
    expect(report.nats.status).toBe('ok');
    expect(report.jetstream).toMatchObject({ status: 'ok', stream: { name: 'unit_gw_EVENTS', messages: 4, bytes: 400 } });
    expect(report.jetstream.consumers).toContainEqual({ service: 'billing', name: 'billing', pending: 3, ack_pending: 1, redelivered: 0 });
  });

  it('shows the error code of a service that did not answer, and asks with the health timeout', async () => {
    const timeouts: number[] = [];
    const report = await healthService(async (s, timeoutMs) => {
      timeouts.push(timeoutMs);
      if (s === 'webhooks') throw new DomainException('SERVICE_UNAVAILABLE', 'not there', { status: 503 });
      if (s === 'backups') throw new Error('socket hang up');
      return healthOf(s);
    }).detailed();
    expect(new Set(timeouts)).toEqual(new Set([200]));
    expect(report.status).toBe('degraded');
    expect(report.services.webhooks).toMatchObject({ status: 'down', error: { code: 'SERVICE_UNAVAILABLE' } });
    expect(report.services.backups).toMatchObject({ status: 'down', error: { code: 'INTERNAL_ERROR' } });
  });

  it('answers within about the timeout even when Postgres hangs, and reports a missing stream', async () => {
    const started = Date.now();
    const report = await healthService(async (s) => healthOf(s), { pgHangs: true, streamMissing: true }).detailed();
    expect(Date.now() - started).toBeLessThan(600);
    expect(report.status).toBe('down');
    expect(report.postgres).toMatchObject({ status: 'down', detail: expect.stringMatching(/within 200 ms/) });
    expect(report.jetstream).toMatchObject({ status: 'down', detail: expect.stringMatching(/unit_gw_EVENTS/) });
  });
});
