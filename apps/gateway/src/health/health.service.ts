import { Inject, Injectable, Optional } from '@nestjs/common';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import { RpcSubjects, ServiceNames, type ServiceName } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { RpcClient, SubjectNaming, watchNatsConnection, type NatsConnectionState } from '@saas/messaging';
import { CredentialRevocations } from '../auth/revocations.js';
import type { GatewayConfig } from '../config.js';
import { GATEWAY_CONFIG, GATEWAY_INFO, NATS_CONNECTION, PG_POOL, type GatewayInfo } from '../tokens.js';
import { elapsedMs, withDeadline } from './deadline.js';
import type { ComponentHealth, ConsumerLag, DetailedHealth, JetStreamHealth, OverallStatus, Readiness, RevocationsHealth, ServiceEntry } from './health.types.js';

/**
 * Composes /health/detailed: every service's own health RPC, Postgres, NATS and the event stream,
 * all in parallel and each bounded by HEALTH_RPC_TIMEOUT_MS, so the answer comes in about that
 * long at worst even when everything is down.
 */
@Injectable()
export class HealthService {
  private jsm?: Promise<JetStreamManager>;
  private readonly natsState: NatsConnectionState;

  constructor(
    private readonly rpc: RpcClient,
    private readonly naming: SubjectNaming,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(PG_POOL) private readonly pgPool: pg.Pool,
    @Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'HEALTH_RPC_TIMEOUT_MS'>,
    @Inject(GATEWAY_INFO) private readonly info: GatewayInfo,
    @Optional() private readonly revocations?: CredentialRevocations,
  ) {
    this.natsState = watchNatsConnection(nats);
  }

  /**
   * `/ready`: whether this gateway can serve as it should — NATS connected (every route but health
   * needs it) and its revocation list caught up (else it fails closed). No RPC: cheap enough for a
   * load balancer to ask every second.
   */
  readiness(): Readiness {
    const nats: ComponentHealth = this.natsState.connected
      ? { status: 'ok' }
      : { status: 'down', detail: `disconnected since ${new Date(this.natsState.downSince ?? Date.now()).toISOString()}` };
    const revocations = this.revocationsHealth();
    return { status: nats.status === 'ok' && revocations.status === 'ok' ? 'ok' : 'down', timestamp: new Date().toISOString(), nats, revocations };
  }

  private revocationsHealth(): RevocationsHealth {
    if (!this.revocations) return { status: 'ok', readers: [] };
    const r = this.revocations.readiness();
    return { status: r.status === 'ok' ? 'ok' : 'down', ...(r.status === 'ok' ? {} : { detail: 'not caught up: credentials are re-checked with identity' }), readers: r.readers };
  }

  liveness(): { status: 'ok'; version: string; timestamp: string } {
    return { status: 'ok', version: this.info.version, timestamp: new Date().toISOString() };
  }

  async detailed(): Promise<DetailedHealth> {
    const started = performance.now();
    const [services, postgres, nats, stream] = await Promise.all([
      Promise.all(ServiceNames.map(async (s) => [s, await this.service(s)] as const)),
      this.postgres(),
      this.natsHealth(),
      this.stream(),
    ]);
    const byService = Object.fromEntries(services) as Record<ServiceName, ServiceEntry>;
    const jetstream: JetStreamHealth = { ...stream, consumers: consumerLag(byService) };
    const revocations = this.revocationsHealth();
    const overall = overallStatus(byService, postgres, nats, jetstream);
    return {
      // A gateway that cannot trust its revocation list still serves (asking identity), but is not ok.
      status: overall === 'ok' && revocations.status !== 'ok' ? 'degraded' : overall,
      version: this.info.version,
      timestamp: new Date().toISOString(),
      duration_ms: elapsedMs(started),
      gateway: {
        status: 'ok',
        version: this.info.version,
        instance: this.info.instance,
        uptime_s: Math.round((Date.now() - this.info.startedAt) / 1000),
      },
      services: byService,
      postgres,
      nats,
      jetstream,
      revocations,
    };
  }

  private async service(service: ServiceName): Promise<ServiceEntry> {
    const started = performance.now();
    const timeoutMs = this.config.HEALTH_RPC_TIMEOUT_MS;
    try {
      const { service: _name, ...health } = await this.rpc.call(RpcSubjects.health(service), {}, { timeoutMs });
      return { ...health, latency_ms: elapsedMs(started) };
    } catch (err) {
      const error =
        err instanceof DomainException ? { code: err.code, detail: err.message } : { code: 'INTERNAL_ERROR', detail: `The ${service} health check failed.` };
      return { status: 'down', latency_ms: elapsedMs(started), error };
    }
  }

  private async postgres(): Promise<ComponentHealth> {
    return this.probe('Postgres', async () => {
      await this.pgPool.query('SELECT 1');
    });
  }

  private async natsHealth(): Promise<ComponentHealth> {
    if (this.nats.isClosed()) return { status: 'down', detail: 'connection closed' };
    if (!this.natsState.connected) return { status: 'down', detail: 'disconnected; reconnecting' };
    return this.probe('NATS', async () => {
      await this.nats.rtt();
    });
  }

  private async stream(): Promise<Omit<JetStreamHealth, 'consumers'>> {
    const name = this.naming.streamName;
    try {
      const info = await withDeadline(
        (async () => (await this.manager()).streams.info(name))(),
        this.config.HEALTH_RPC_TIMEOUT_MS,
        'JetStream',
      );
      const s = info.state;
      return {
        status: 'ok',
        stream: { name, messages: s.messages, bytes: s.bytes, first_seq: s.first_seq, last_seq: s.last_seq, consumer_count: s.consumer_count },
      };
    } catch (err) {
      this.jsm = undefined; // retry creating the manager next time (NATS may have been away)
      return { status: 'down', detail: `stream ${name}: ${(err as Error).message}` };
    }
  }

  private manager(): Promise<JetStreamManager> {
    this.jsm ??= jetstreamManager(this.nats);
    return this.jsm;
  }

  private async probe(what: string, check: () => Promise<void>): Promise<ComponentHealth> {
    const started = performance.now();
    try {
      await withDeadline(check(), this.config.HEALTH_RPC_TIMEOUT_MS, what);
      return { status: 'ok', latency_ms: elapsedMs(started) };
    } catch (err) {
      return { status: 'down', latency_ms: elapsedMs(started), detail: (err as Error).message };
    }
  }
}

/** Lag of each service's durable consumer, as the service itself reported it. */
export function consumerLag(services: Record<ServiceName, ServiceEntry>): ConsumerLag[] {
  return ServiceNames.flatMap((service) => {
    const entry = services[service];
    if (!('consumers' in entry) || !entry.consumers) return [];
    return entry.consumers.map((c) => ({ service, ...c }));
  });
}

/**
 * `ok` only when everything answers and is ok. `down` when the gateway cannot reach anything useful
 * (NATS or Postgres down, or no service answering); otherwise `degraded`.
 */
export function overallStatus(
  services: Record<ServiceName, ServiceEntry>,
  postgres: ComponentHealth,
  nats: ComponentHealth,
  jetstream: ComponentHealth,
): OverallStatus {
  const entries = Object.values(services);
  if (nats.status === 'down' || postgres.status === 'down' || entries.every((e) => e.status === 'down')) return 'down';
  if (entries.every((e) => e.status === 'ok') && jetstream.status === 'ok') return 'ok';
  return 'degraded';
}
