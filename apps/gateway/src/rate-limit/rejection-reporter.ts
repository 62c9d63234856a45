import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { IdentityRpc } from '@saas/contracts';
import { RpcClient, SecurityReportBatcher } from '@saas/messaging';
import { GATEWAY_LOGGER } from '../tokens.js';
import { isInfraRoute } from './request-limits.hook.js';

/**
 * Counts the gateway's rate-limit rejections (429 RATE_LIMIT_EXCEEDED) by tier, route pattern and
 * address, and reports them to identity in batches, for `GET security/metrics` and the 429-storm
 * threats of `GET security/threats`.
 */
@Injectable()
export class RateLimitRejectionReporter implements OnModuleInit, OnApplicationShutdown {
  private readonly batcher: SecurityReportBatcher;

  constructor(rpc: RpcClient, @Inject(GATEWAY_LOGGER) logger: Logger) {
    this.batcher = new SecurityReportBatcher(rpc, IdentityRpc.securityReport, logger);
  }

  onModuleInit(): void {
    this.batcher.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.batcher.stop();
  }

  /** A 429 of the limits was sent for this request. */
  rejected(request: FastifyRequest): void {
    const pattern = request.routeOptions.url;
    const route = pattern === undefined ? 'unmatched' : `${request.method} ${pattern}`;
    const tier = pattern !== undefined && isInfraRoute(pattern) ? 'infra' : (request.principal?.tier ?? 'anonymous');
    const ip = request.ip ?? null;
    this.batcher.add(`${tier} ${route} ${ip}`, { type: 'rate_limited', tier, route, ...(ip ? { ip } : {}) });
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }
}
