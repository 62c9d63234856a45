import type { NatsConnection } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import type { ServiceHealth } from '@saas/contracts';
import { DeadLetter, withTimeout, type EventConsumer, type NatsConnectionState, type OutboxRelay } from '@saas/messaging';

/** Every probe's bound: the answer takes this long at worst, whatever is paused. */
const HEALTH_PROBE_MS = 2_000;

export interface HealthCheckDeps {
  service: string;
  version: string;
  instanceId: string;
  /** `Date.now()` when the process booted. */
  startedAt: number;
  dataSource: DataSource;
  nats: NatsConnection;
  natsState: NatsConnectionState;
  relay: OutboxRelay;
  consumer: EventConsumer;
}

/**
 * The health of a platform service, one implementation for all of them: bootstrapService answers
 * `rpc.<service>.health` with it (the gateway's /health/detailed composes every service's answer)
 * and the metrics port's readiness reads it. No service writes its own.
 *
 * Ready means able to do its work: Postgres answers, NATS is connected (not merely "not closed"
 * while it reconnects), and the event consumer is reading. Every probe is bounded, so a paused
 * Postgres or NATS makes this answer "down" rather than hang.
 */
export function serviceHealthCheck(deps: HealthCheckDeps): () => Promise<ServiceHealth> {
  const { dataSource, nats, natsState, relay, consumer } = deps;
  return async () => {
    const checks: ServiceHealth['checks'] = {};
    const timed = <T>(p: Promise<T>, what: string) => withTimeout(p, HEALTH_PROBE_MS, what);
    // All probes at once: the answer takes HEALTH_PROBE_MS at worst, whatever is paused.
    const [postgres, rtt, lag, outboxBacklog, deadLetters] = await Promise.all([
      (async () => {
        const t0 = Date.now();
        try {
          await timed(dataSource.query('SELECT 1'), 'Postgres');
          return { status: 'ok' as const, latency_ms: Date.now() - t0 };
        } catch (err) {
          return { status: 'down' as const, detail: (err as Error).message };
        }
      })(),
      natsState.connected ? timed(nats.rtt(), 'NATS').catch((err: Error) => err) : Promise.resolve(null),
      consumer.eventTypes.length > 0 ? timed(consumer.lag(), 'the consumer').catch(() => null) : Promise.resolve(null),
      timed(relay.backlog(), 'Postgres').catch(() => -1),
      timed(dataSource.getRepository(DeadLetter).countBy({ status: 'parked' }), 'Postgres').catch(() => -1),
    ]);
    checks.postgres = postgres;
    if (rtt === null) checks.nats = { status: 'down', detail: `disconnected since ${new Date(natsState.downSince ?? Date.now()).toISOString()}` };
    else if (rtt instanceof Error) checks.nats = { status: 'down', detail: rtt.message };
    else checks.nats = { status: 'ok', latency_ms: rtt };
    let consumers: ServiceHealth['consumers'] = [];
    if (consumer.eventTypes.length > 0) {
      consumers = [lag ?? { name: deps.service, pending: -1, ack_pending: -1, redelivered: -1 }];
      const reading = consumer.reading();
      checks.events = reading.ok && lag ? { status: 'ok' } : { status: 'down', detail: reading.detail ?? 'consumer info unavailable' };
    }
    checks.outbox = { status: outboxBacklog >= 0 ? 'ok' : 'down', detail: `${outboxBacklog} unpublished` };
    const down = Object.values(checks).some((c) => c.status === 'down');
    return {
      service: deps.service,
      status: down ? 'down' : 'ok',
      version: deps.version,
      uptime_s: Math.round((Date.now() - deps.startedAt) / 1000),
      instance: deps.instanceId,
      checks,
      consumers,
      dead_letters: deadLetters,
    };
  };
}
