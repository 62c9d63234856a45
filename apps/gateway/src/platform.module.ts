import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import type { Logger } from 'pino';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import type { GatewayConfig } from './config.js';
import { GATEWAY_CONFIG, GATEWAY_INFO, GATEWAY_LOGGER, NATS_CONNECTION, PG_POOL, type GatewayInfo } from './tokens.js';

export interface GatewayPlatform {
  config: GatewayConfig;
  logger: Logger;
  info: GatewayInfo;
  nats: NatsConnection;
  naming: SubjectNaming;
  rpc: RpcClient;
  /** Only pinged by /health/detailed: the gateway owns no tables. */
  pgPool: pg.Pool;
}

/**
 * Releases the connections after Fastify has closed, i.e. once the in-flight requests (which may
 * still be waiting on an RPC) have been answered.
 */
@Injectable()
class ConnectionsLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(PG_POOL) private readonly pgPool: pg.Pool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.nats.isClosed()) await this.nats.drain().catch(() => undefined);
    await this.pgPool.end().catch(() => undefined);
  }
}

/** What the gateway's feature modules may inject; built once in createGateway(). */
@Global()
@Module({})
export class PlatformModule {
  static register(p: GatewayPlatform): DynamicModule {
    const providers = [
      { provide: GATEWAY_CONFIG, useValue: p.config },
      { provide: GATEWAY_LOGGER, useValue: p.logger },
      { provide: GATEWAY_INFO, useValue: p.info },
      { provide: NATS_CONNECTION, useValue: p.nats },
      { provide: SubjectNaming, useValue: p.naming },
      { provide: RpcClient, useValue: p.rpc },
      { provide: PG_POOL, useValue: p.pgPool },
    ];
    return { module: PlatformModule, providers: [...providers, ConnectionsLifecycle], exports: providers.map((x) => x.provide) };
  }
}
