import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { openPool } from '@saas/database';
import type { Logger } from 'pino';
import { connectNats, RpcClient, SubjectNaming } from '@saas/messaging';
import { createLogger, initMetrics, PinoNestLogger } from '@saas/observability';
import { AppModule } from './app.module.js';
import type { GatewayConfig } from './config.js';
import { setupOpenApi } from './http/openapi.js';
import { installHttpPipeline } from './http/pipeline.js';
import { frameworkErrorHandler } from './http/problem.filter.js';
import { registerEventLoopDelayMetric } from './metrics/event-loop-delay.js';
import { registerTenantProxy } from './proxy/tenant-proxy.js';
import { genReqId } from './http/request-id.js';
import { registerRawBodyCapture } from './integrations/raw-body.js';
import { PlatformModule } from './platform.module.js';
import type { GatewayInfo } from './tokens.js';

export interface GatewayOptions {
  logger?: Logger;
  version?: string;
  /** More controllers in the root module; tests use it to drive the global pipeline with a body route. */
  extraControllers?: Type[];
  /**
   * Serve the Swagger UI (default true). In-process Jest tests turn it off: Jest's CommonJS loader
   * cannot load @fastify/static's ESM-only dependency on Node 20, so the UI is tested on the built process.
   */
  swaggerUi?: boolean;
}

@Module({})
class GatewayRootModule {}

/** A route as Fastify registered it (method, URL pattern). */
export interface RegisteredRoute {
  method: string;
  url: string;
}

const registeredRoutes = new WeakMap<object, RegisteredRoute[]>();

/** Every route of a gateway built by createGateway() — the public-route test enumerates them. */
export function routesOf(app: NestFastifyApplication): readonly RegisteredRoute[] {
  return registeredRoutes.get(app) ?? [];
}

/**
 * Builds the gateway — NATS connected, every route, hook, filter and the OpenAPI document registered,
 * initialised — without listening: `main.ts` listens; tests `inject()` or listen on port 0.
 * `app.close()` lets in-flight requests finish, then drains NATS and closes the Postgres pool.
 */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger('gateway', config.LOG_LEVEL);
  const version = options.version ?? process.env.npm_package_version ?? '0.1.0';
  const info: GatewayInfo = { version, instance: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`, startedAt: Date.now() };
  initMetrics('gateway');
  registerEventLoopDelayMetric();

  const naming = new SubjectNaming(config.SUBJECT_PREFIX);
  const nats = await connectNats(config.NATS_URL, `gateway:${info.instance}`, { user: config.NATS_USER, pass: config.NATS_PASSWORD });
  const rpc = new RpcClient(nats, naming, config.RPC_TIMEOUT_MS, 'gateway');
  const pgPool = openPool({
    connectionString: config.DATABASE_URL,
    max: 2,
    connectionTimeoutMillis: config.HEALTH_RPC_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    application_name: 'gateway',
    onLost: (err) => logger.warn({ err: err.message }, 'a Postgres connection was lost'),
  });

  try {
    const adapter = new FastifyAdapter({
      bodyLimit: config.BODY_LIMIT_BYTES,
      trustProxy: config.TRUST_PROXY,
      genReqId,
      requestIdHeader: false,
      return503OnClosing: false, // answered as problem+json instead (http/graceful-close.ts)
      routerOptions: { ignoreTrailingSlash: true },
      frameworkErrors: frameworkErrorHandler(config.BODY_LIMIT_BYTES),
    });
    // First of all hooks: tenant-app traffic (`<slug>.localhost`) is proxied, not authenticated,
    // rate-limited or parsed as API requests.
    registerTenantProxy(adapter.getInstance(), rpc, logger, { hostSuffixes: config.TENANT_HOST_SUFFIXES.split(',') });
    // Inbound provider webhooks need their exact body bytes to check signatures.
    registerRawBodyCapture(adapter.getInstance());
    const routes: RegisteredRoute[] = [];
    adapter.getInstance().addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    });
    const app = await NestFactory.create<NestFastifyApplication>(
      {
        module: GatewayRootModule,
        imports: [PlatformModule.register({ config, logger, info, nats, naming, rpc, pgPool }), AppModule],
        controllers: options.extraControllers ?? [],
      },
      adapter,
      { logger: new PinoNestLogger(logger), bodyParser: false, abortOnError: false },
    );
    await installHttpPipeline(app, config, logger);
    setupOpenApi(app, version, options.swaggerUi ?? true);
    await app.init();
    registeredRoutes.set(app, routes);
    return app;
  } catch (err) {
    await nats.close().catch(() => undefined);
    await pgPool.end().catch(() => undefined);
    throw err;
  }
}
