import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { EventOutbox, RpcClient, SubjectNaming } from '@saas/messaging';
import { NATS_CONNECTION, SERVICE_CONFIG, SERVICE_LOGGER } from './tokens.js';

export interface PlatformInstances {
  config: Record<string, unknown>;
  logger: Logger;
  dataSource: DataSource;
  nats: NatsConnection;
  naming: SubjectNaming;
  rpc: RpcClient;
  outbox: EventOutbox;
}

/**
 * What every service's feature modules may inject: its DataSource (pinned to its schema), the outbox,
 * the RPC client, its typed config and logger. Built once at boot, before Nest, so migrations have
 * run and NATS is connected by the time any provider is constructed.
 */
@Global()
@Module({})
export class PlatformModule {
  static register(i: PlatformInstances): DynamicModule {
    const providers = [
      { provide: SERVICE_CONFIG, useValue: i.config },
      { provide: SERVICE_LOGGER, useValue: i.logger },
      { provide: DataSource, useValue: i.dataSource },
      { provide: NATS_CONNECTION, useValue: i.nats },
      { provide: SubjectNaming, useValue: i.naming },
      { provide: RpcClient, useValue: i.rpc },
      { provide: EventOutbox, useValue: i.outbox },
    ];
    return { module: PlatformModule, providers, exports: providers.map((p) => p.provide) };
  }
}
