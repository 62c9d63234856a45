import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { DataSource, IsNull } from 'typeorm';
import {
  InstanceLogsRequest,
  InstanceMetricsRequest,
  InstanceRefRequest,
  InstanceRouteRequest,
  InstancesStatsRequest,
  ProvisioningRpc,
  type InstancesStats,
} from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { DomainException } from '@saas/errors';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import type { TenantDatabaseManager } from '../tenant-database/tenant-database.manager.js';
import { TENANT_DATABASES, TENANT_RUNTIME } from '../jobs/tokens.js';
import { TenantInstance } from './tenant-instance.entity.js';

/** Instances asked about at once when summing them up (each may be an API call on Kubernetes). */
const STATS_CONCURRENCY = 8;

const HOUR_MS = 3_600_000;

function date(value: string | undefined, fallback: Date): Date {
  return value ? new Date(value) : fallback;
}

/**
 * The tenant's instance as the API shows it: details, metrics and logs. Callers are the gateway
 * (after the tenants service authorized the user for the tenant) and other services.
 */
@Controller()
export class InstancesController {
  constructor(
    @Inject(TENANT_RUNTIME) private readonly runtime: TenantRuntime,
    @Inject(TENANT_DATABASES) private readonly databases: TenantDatabaseManager,
    private readonly ds: DataSource,
  ) {}

  @RpcHandler(ProvisioningRpc.instancesStats)
  async stats(@Payload() _req: InstancesStatsRequest): Promise<InstancesStats> {
    const live = await this.ds.getRepository(TenantInstance).find({ where: { deletedAt: IsNull() }, select: { tenantId: true } });
    const stats: InstancesStats = {
      runtime: this.runtime.kind,
      total: 0,
      by_status: {},
      crash_restarts: 0,
      cpu_percent: 0,
      memory_bytes: 0,
      storage_bytes: 0,
      spare_databases: this.databases.spares.enabled ? (await this.databases.spares.list()).length : null,
      jobs: { queued: 0, running: 0, failed_last_24h: 0 },
    };
    const now = new Date();
    for (let i = 0; i < live.length; i += STATS_CONCURRENCY) {
      await Promise.all(
        live.slice(i, i + STATS_CONCURRENCY).map(async ({ tenantId }) => {
          const info = await this.runtime.getInstance(tenantId).catch(() => null);
          if (!info) return;
          stats.total += 1;
          stats.by_status[info.status] = (stats.by_status[info.status] ?? 0) + 1;
          stats.crash_restarts += info.restarts;
          const current = (await this.runtime.metrics(tenantId, { from: new Date(now.getTime() - 120_000), to: now, step_s: 60 }).catch(() => null))?.current;
          stats.cpu_percent += current?.cpu_percent ?? 0;
          stats.memory_bytes += current?.memory_bytes ?? 0;
          stats.storage_bytes += current?.storage_bytes ?? 0;
        }),
      );
    }
    const [jobs]: Array<{ queued: number; running: number; failed: number }> = await this.ds.query(
      `SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued,
              count(*) FILTER (WHERE status = 'running')::int AS running,
              count(*) FILTER (WHERE status = 'failed' AND finished_at > now() - interval '1 day')::int AS failed
         FROM provisioning_jobs`,
    );
    stats.jobs = { queued: jobs?.queued ?? 0, running: jobs?.running ?? 0, failed_last_24h: jobs?.failed ?? 0 };
    stats.cpu_percent = Math.round(stats.cpu_percent * 100) / 100;
    return stats;
  }

  @RpcHandler(ProvisioningRpc.instanceGet)
  async get(@Payload() req: InstanceRefRequest) {
    const info = await this.runtime.getInstance(req.tenant_id);
    if (!info) throw new DomainException('INSTANCE_NOT_FOUND', 'This tenant has no instance (yet, or any more).', { status: 404 });
    return info;
  }

  @RpcHandler(ProvisioningRpc.instanceMetrics)
  async metrics(@Payload() req: InstanceMetricsRequest) {
    const to = date(req.to, new Date());
    const from = date(req.from, new Date(to.getTime() - HOUR_MS));
    if (from >= to) throw DomainException.validation([{ field: 'from', message: 'from must be before to' }]);
    if (!(await this.runtime.getInstance(req.tenant_id))) throw new DomainException('INSTANCE_NOT_FOUND', 'This tenant has no instance.', { status: 404 });
    return this.runtime.metrics(req.tenant_id, { from, to, step_s: req.step_s ?? 60 });
  }

  @RpcHandler(ProvisioningRpc.instanceLogs)
  async logs(@Payload() req: InstanceLogsRequest) {
    if (!(await this.runtime.getInstance(req.tenant_id))) throw new DomainException('INSTANCE_NOT_FOUND', 'This tenant has no instance.', { status: 404 });
    return this.runtime.logs(req.tenant_id, {
      page: req.page,
      page_size: req.page_size,
      ...(req.level ? { level: req.level } : {}),
      ...(req.from ? { from: new Date(req.from) } : {}),
      ...(req.to ? { to: new Date(req.to) } : {}),
      ...(req.search ? { search: req.search } : {}),
    });
  }

  @RpcHandler(ProvisioningRpc.instanceRoute)
  async route(@Payload() req: InstanceRouteRequest) {
    return { upstream: await this.runtime.resolveUpstream(req.slug) };
  }
}
