import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import type { InstanceLogsRequest, InstanceMetricsRequest, InstancesStats } from '@saas/contracts';
import { Clock } from '@saas/service-kit';
import { TENANT_RUNTIME } from '../runtime/runtime.tokens.js';
import type { InstanceInfo, InstanceMetrics, LogPage, TenantRuntime } from '../runtime/tenant-runtime.js';
import type { TenantDatabaseManager } from '../tenant-database/tenant-database.manager.js';
import { TENANT_DATABASES } from '../tenant-database/tenant-database.tokens.js';
import { InstancesException } from './instances.exception.js';
import { TenantInstance } from './tenant-instance.entity.js';

/** Instances asked about at once when summing them up (each may be an API call on Kubernetes). */
const STATS_CONCURRENCY = 8;

const HOUR_MS = 3_600_000;

/**
 * The tenant's instance as the API shows it: details, metrics and logs, and the operators' totals.
 * Callers are authorized before they get here: the controller asks `InstanceAccess` (the tenants
 * service decides whether the caller may see the tenant; the platform totals are for admins only).
 */
@Injectable()
export class InstancesService {
  constructor(
    @Inject(TENANT_RUNTIME) private readonly runtime: TenantRuntime,
    @Inject(TENANT_DATABASES) private readonly databases: TenantDatabaseManager,
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async stats(): Promise<InstancesStats> {
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
    const now = this.clock.now();
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

  async get(tenantId: string): Promise<InstanceInfo> {
    const info = await this.runtime.getInstance(tenantId);
    if (!info) throw InstancesException.instanceNotFound();
    return info;
  }

  /** The last hour by default. */
  async metrics(req: InstanceMetricsRequest): Promise<InstanceMetrics> {
    const to = req.to ? new Date(req.to) : this.clock.now();
    const from = req.from ? new Date(req.from) : new Date(to.getTime() - HOUR_MS);
    if (from >= to) throw InstancesException.invalidRange();
    await this.requireInstance(req.tenant_id);
    return this.runtime.metrics(req.tenant_id, { from, to, step_s: req.step_s ?? 60 });
  }

  async logs(req: InstanceLogsRequest): Promise<LogPage> {
    await this.requireInstance(req.tenant_id);
    return this.runtime.logs(req.tenant_id, {
      page: req.page,
      page_size: req.page_size,
      ...(req.level ? { level: req.level } : {}),
      ...(req.from ? { from: new Date(req.from) } : {}),
      ...(req.to ? { to: new Date(req.to) } : {}),
      ...(req.search ? { search: req.search } : {}),
    });
  }

  /** Where the gateway proxies a tenant's subdomain to (null: nowhere right now). */
  async route(slug: string): Promise<{ upstream: { host: string; port: number } | null }> {
    return { upstream: await this.runtime.resolveUpstream(slug) };
  }

  private async requireInstance(tenantId: string): Promise<void> {
    if (!(await this.runtime.getInstance(tenantId))) throw InstancesException.noInstance();
  }
}
