import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, NestFactory, Reflector } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { from, type Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { eventContractViolation, RpcSubjects, type ServiceName } from '@saas/contracts';
import { baseConfigSchema, loadConfig, type BaseConfig } from '@saas/config';
import { createServiceDataSource, runMigrations, type ServiceDataSourceOptions } from '@saas/database';
import { DomainException, internalError, toRpcError } from '@saas/errors';
import {
  CallerActorInterceptor,
  connectNats,
  ContractValidationPipe,
  directRpcHandlers,
  CreateMessagingTables1763800000000,
  DeadLetter,
  ensureEventStream,
  EVENT_HANDLER_METADATA,
  EventConsumer,
  EventOutbox,
  MESSAGING_ENTITIES,
  OutboxRelay,
  PlatformNatsServer,
  RpcClient,
  RpcProblemFilter,
  SubjectNaming,
  type EventConsumerOptions,
  type EventHandlerMetadata,
  type RegisteredEventHandler,
  watchNatsConnection,
} from '@saas/messaging';
import { createLogger, initMetrics, initTracing, PinoNestLogger, shutdownTracing, startMetricsServer } from '@saas/observability';
import { serviceHealthCheck } from './health.js';
import { PlatformModule } from './platform.module.js';
import { SeamsModule } from './seams.module.js';
import { announceReady, stopWhenParentGoes } from './process-lifecycle.js';
import type { z } from 'zod';

export interface ServiceDefinition<S extends z.ZodTypeAny = typeof baseConfigSchema> {
  /** One of the platform's services; test fixtures may use their own name (it is also the schema). */
  service: ServiceName | (string & {});
  module: Type;
  entities: ServiceDataSourceOptions['entities'];
  /** The service's migrations, oldest first; the messaging tables' migration is prepended. */
  migrations: Type[];
  configSchema?: S;
  version?: string;
  /** Test seam passed to the event consumer (see EventConsumerOptions.beforeAck). */
  consumer?: Pick<EventConsumerOptions, 'beforeAck'>;
  /**
   * The contract every event of its outbox is held to: the platform's event catalogue unless a test
   * fixture, publishing event types of its own (`order.created`), brings its own.
   */
  eventContract?: (type: string, data: unknown) => string | null;
  env?: NodeJS.ProcessEnv;
}

export interface RunningService {
  app: INestMicroservice;
  config: BaseConfig & Record<string, unknown>;
  dataSource: DataSource;
  nats: NatsConnection;
  relay: OutboxRelay;
  consumer: EventConsumer;
  logger: Logger;
  metricsPort?: number;
  shutdown(reason?: string): Promise<void>;
}

function discoverEventHandlers(app: INestMicroservice): RegisteredEventHandler[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const handlers: RegisteredEventHandler[] = [];
  for (const wrapper of discovery.getProviders()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
    const prototype = Object.getPrototypeOf(instance);
    for (const method of scanner.getAllMethodNames(prototype)) {
      const fn = instance[method];
      if (typeof fn !== 'function') continue;
      const meta = reflector.get<EventHandlerMetadata>(EVENT_HANDLER_METADATA, fn);
      if (!meta) continue;
      handlers.push({ ...meta, name: `${prototype.constructor.name}.${method}`, handle: fn.bind(instance) });
    }
  }
  return handlers;
}

/**
 * Wraps a programmatic RPC handler the way Nest's filter wraps decorated ones: the reply is an
 * Observable that errors with the wire form of the problem (a rejected promise would send no reply).
 */
function rpcHandler(logger: Logger, fn: (data: Record<string, unknown>) => Promise<unknown>) {
  return async (data: unknown): Promise<Observable<unknown>> =>
    from(
      fn((data ?? {}) as Record<string, unknown>).catch((err: unknown) => {
        if (err instanceof DomainException) throw toRpcError(err);
        const { exception, errorId } = internalError();
        logger.error({ err, error_id: errorId }, 'unhandled error in RPC handler');
        throw toRpcError(exception);
      }),
    );
}

/**
 * Boots one platform service, the same way for all of them: typed config checked first, logs and
 * traces, NATS and the event stream, its DataSource and migrations, the Nest microservice on a queue
 * group, then the outbox relay and the durable consumer. Health and dead-letter RPCs come for free.
 * SIGTERM/SIGINT stop it in reverse order, letting in-flight work finish.
 */
export async function bootstrapService<S extends z.ZodTypeAny>(def: ServiceDefinition<S>): Promise<RunningService> {
  const env = def.env ?? process.env;
  const config = loadConfig(def.service, def.configSchema ?? baseConfigSchema, env) as BaseConfig & Record<string, unknown>;
  const version = def.version ?? process.env.npm_package_version ?? '0.1.0';
  initTracing({ service: def.service, version, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, namespace: config.OTEL_SERVICE_NAMESPACE, sampleRatio: config.OTEL_TRACES_SAMPLER_ARG });
  initMetrics(def.service);
  const logger = createLogger(def.service, config.LOG_LEVEL);
  const startedAt = Date.now();
  const instanceId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

  const naming = new SubjectNaming(config.SUBJECT_PREFIX);
  const nats = await connectNats(config.NATS_URL, `${def.service}:${instanceId}`, { user: config.NATS_USER, pass: config.NATS_PASSWORD });
  const natsState = watchNatsConnection(nats);
  const jsm = await jetstreamManager(nats);
  await ensureEventStream(jsm, naming);
  const js = jetstream(nats);

  const dataSource = createServiceDataSource({
    schema: def.service,
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    entities: [...MESSAGING_ENTITIES, ...(def.entities as never[])],
    migrations: [CreateMessagingTables1763800000000, ...def.migrations],
    applicationName: def.service,
  });
  await dataSource.initialize();
  if (config.RUN_MIGRATIONS) {
    const ran = await runMigrations(dataSource);
    if (ran.length) logger.info({ migrations: ran }, 'migrations applied');
  }

  const rpc = new RpcClient(nats, naming, config.RPC_TIMEOUT_MS, def.service);
  const outbox = new EventOutbox(naming, def.service, def.eventContract ?? eventContractViolation);

  // Every feature may inject the platform's instances and the seams (Clock, SecureRandom) without importing them.
  @Module({ imports: [DiscoveryModule, SeamsModule, PlatformModule.register({ config, logger, dataSource, nats, naming, rpc, outbox }), def.module] })
  class ServiceRootModule {}

  const strategy = new PlatformNatsServer(nats, naming, def.service);
  const app = await NestFactory.createMicroservice(ServiceRootModule as DynamicModule['module'], {
    strategy,
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
  app.useGlobalFilters(new RpcProblemFilter(logger));
  app.useGlobalPipes(new ContractValidationPipe());
  app.useGlobalInterceptors(new CallerActorInterceptor());
  // NestMicroservice.init runs the init and bootstrap hooks (its base class's init), then again in
  // registerModules unless told they ran: every hook ran twice, and a worker loop, LISTEN session or
  // lock opened in one was opened twice (lifecycle.int-spec).
  (app as unknown as { setIsInitHookCalled?: (called: boolean) => void }).setIsInitHookCalled?.(true);
  await app.init();
  // The routes that need none of Nest's per-request pipeline are answered directly (issue 9, ADR 0023).
  // This application's controllers only: the route registry is the process's (specs run several
  // services in one process), and app.get of a stranger would end the process (Nest's abortOnError).
  const controllers = new Map(
    app
      .get(DiscoveryService)
      .getControllers()
      .filter((w) => w.metatype && w.instance)
      .map((w) => [w.metatype, w.instance as object]),
  );
  const direct = directRpcHandlers((controller) => controllers.get(controller as never));
  strategy.useDirectHandlers(direct, logger);
  logger.debug({ direct_rpc_routes: direct.size }, 'RPC routes answered without Nest\'s per-request pipeline');

  const relay = new OutboxRelay(dataSource, js, logger);
  const consumer = new EventConsumer(dataSource, js, jsm, naming, logger, {
    durable: def.service,
    handlers: discoverEventHandlers(app),
    maxDeliver: config.EVENT_MAX_DELIVER,
    backoffMs: config.EVENT_BACKOFF_MS,
    ackWaitMs: config.EVENT_ACK_WAIT_MS,
    transientDeadlineMs: config.EVENT_RETRY_DEADLINE_MS,
    inPlaceRetryMs: config.EVENT_IN_PLACE_RETRY_MS,
    concurrency: config.EVENT_CONCURRENCY,
    batchSize: config.EVENT_BATCH_SIZE,
    ...(def.consumer ?? {}),
  });

  // The one health check of every service: `rpc.<service>.health` and the metrics port's readiness.
  const health = serviceHealthCheck({ service: def.service, version, instanceId, startedAt, dataSource, nats, natsState, relay, consumer });

  strategy.addHandler(RpcSubjects.health(def.service as ServiceName), rpcHandler(logger, health) as never, false);
  strategy.addHandler(
    RpcSubjects.deadLetters.list(def.service as ServiceName),
    rpcHandler(logger, async (data) => {
      const status = data.status === 'replayed' ? 'replayed' : 'parked';
      const page = Math.max(1, Number(data.page ?? 1));
      const pageSize = Math.min(100, Math.max(1, Number(data.page_size ?? 20)));
      const [rows, count] = await dataSource.getRepository(DeadLetter).findAndCount({
        where: { status },
        order: { parkedAt: 'DESC' },
        skip: (page - 1) * pageSize,
        take: pageSize,
      });
      return {
        count,
        results: rows.map((r) => ({
          id: r.id,
          service: def.service,
          consumer: r.consumer,
          subject: r.subject,
          event_id: r.eventId,
          type: r.type,
          error: r.error,
          attempts: r.attempts,
          status: r.status,
          parked_at: r.parkedAt.toISOString(),
          replayed_at: r.replayedAt?.toISOString() ?? null,
          payload: r.payload,
        })),
      };
    }) as never,
    false,
  );
  strategy.addHandler(
    RpcSubjects.deadLetters.replay(def.service as ServiceName),
    rpcHandler(logger, async (data) => {
      const id = String(data.id ?? '');
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw DomainException.validation([{ field: 'id', message: 'id must be a UUID' }]);
      return consumer.replay(id);
    }) as never,
    false,
  );

  await app.listen();
  if (config.OUTBOX_RELAY_ENABLED) await relay.start();
  await consumer.start();

  let metricsPort: number | undefined;
  let metricsServer: import('node:http').Server | undefined;
  if (config.METRICS_PORT !== undefined) {
    const started = await startMetricsServer(config.METRICS_PORT, async () => (await health()).status !== 'down');
    metricsPort = started.port;
    metricsServer = started.server;
  }
  logger.info({ instance: instanceId, prefix: config.SUBJECT_PREFIX || undefined, metrics_port: metricsPort, handlers: consumer.eventTypes }, `${def.service} service ready`);

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown'): Promise<void> =>
    (stopping ??= (async () => {
      logger.info({ reason }, `${def.service} service stopping`);
      await consumer.stop().catch((err) => logger.warn({ err }, 'stopping consumer'));
      await strategy.close().catch((err) => logger.warn({ err }, 'stopping RPC server'));
      await relay.stop().catch((err) => logger.warn({ err }, 'stopping outbox relay'));
      await app.close().catch((err) => logger.warn({ err }, 'closing app'));
      metricsServer?.close();
      await nats.drain().catch(() => undefined);
      await dataSource.destroy().catch(() => undefined);
      await shutdownTracing();
      logger.info(`${def.service} service stopped`);
    })());

  return { app, config, dataSource, nats, relay, consumer, logger, metricsPort, shutdown };
}

/** For `main.ts`: boot, stop cleanly on SIGTERM/SIGINT, exit non-zero with a clear line if boot fails. */
export async function runService<S extends z.ZodTypeAny>(def: ServiceDefinition<S>): Promise<void> {
  let running: RunningService | undefined;
  let stopRequested = false;
  let stopWhenBooted: string | undefined;
  const stop = (reason: string) => {
    if (stopRequested) return;
    // A signal during boot (or right as the ready line goes out) is honoured once booted, gracefully.
    if (!running) {
      stopWhenBooted ??= reason;
      return;
    }
    stopRequested = true;
    const service = running;
    // A stop that hangs (a handler or job that never settles) must not leave the process behind —
    // under a supervisor it would never be replaced, and an orphaned one would hold its port.
    // SHUTDOWN_TIMEOUT_MS (30 s) is longer than the longest graceful wait inside (provisioning lets
    // jobs in flight finish for up to 20 s).
    const timeoutMs = service.config.SHUTDOWN_TIMEOUT_MS;
    setTimeout(() => {
      service.logger.error({ reason, timeout_ms: timeoutMs }, `${def.service} service did not stop in time; exiting`);
      process.exit(1);
    }, timeoutMs).unref();
    service.shutdown(reason).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Registered before booting: the "ready" line is printed inside bootstrapService, and a SIGTERM
  // sent as soon as it is read must not find the default handler (exit without stopping).
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop(signal));
  try {
    running = await bootstrapService(def);
  } catch (err) {
    const logger = createLogger(def.service);
    logger.fatal({ err }, `${def.service} service failed to start: ${(err as Error).message}`);
    process.exit(1);
  }
  if (stopWhenBooted) stop(stopWhenBooted);
  stopWhenParentGoes(stop);
  announceReady(def.service, { metrics_port: running.metricsPort ?? null });
}
