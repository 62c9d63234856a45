import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isAdmin, type CallerDto, type ListResult, type ListTenantsRequest, type TenantsAdminStats, type TenantView } from '@saas/contracts';
import { TenantsService } from '../tenants/tenants.service.js';
import { AdminException } from './admin.exception.js';

/** What platform admins see of every tenant: the list across owners and the counts of the dashboard. */
@Injectable()
export class TenantsAdminService {
  constructor(
    private readonly ds: DataSource,
    private readonly tenants: TenantsService,
  ) {}

  async list(req: ListTenantsRequest): Promise<ListResult<TenantView>> {
    if (!isAdmin(req.caller)) throw AdminException.platformAdminsOnly();
    return this.tenants.list(req, 'all');
  }

  async stats(caller: CallerDto): Promise<TenantsAdminStats> {
    if (!isAdmin(caller)) throw AdminException.platformAdminsOnly();
    const rows: Array<{ status: string; plan: string; strategy: string; n: number; day: number; week: number }> = await this.ds.query(
      `SELECT status, plan, database_strategy AS strategy, count(*)::int AS n,
              count(*) FILTER (WHERE created_at > now() - interval '1 day')::int AS day,
              count(*) FILTER (WHERE created_at > now() - interval '7 days')::int AS week
         FROM tenants GROUP BY status, plan, database_strategy`,
    );
    const [ops]: Array<{ in_progress: number; failed: number; succeeded: number }> = await this.ds.query(
      `SELECT count(*) FILTER (WHERE status IN ('pending', 'running'))::int AS in_progress,
              count(*) FILTER (WHERE status = 'failed' AND finished_at > now() - interval '1 day')::int AS failed,
              count(*) FILTER (WHERE status = 'succeeded' AND finished_at > now() - interval '1 day')::int AS succeeded
         FROM tenant_operations`,
    );
    const stats: TenantsAdminStats = {
      total_tenants: 0,
      active_instances: 0,
      by_status: {},
      by_plan: {},
      by_database_strategy: {},
      created_last_24h: 0,
      created_last_7d: 0,
      operations: { in_progress: ops?.in_progress ?? 0, failed_last_24h: ops?.failed ?? 0, succeeded_last_24h: ops?.succeeded ?? 0 },
    };
    const add = (into: Record<string, number>, key: string, n: number) => (into[key] = (into[key] ?? 0) + n);
    for (const r of rows) {
      add(stats.by_status, r.status, r.n);
      stats.created_last_24h += r.day;
      stats.created_last_7d += r.week;
      if (r.status === 'deleted') continue;
      add(stats.by_plan, r.plan, r.n);
      add(stats.by_database_strategy, r.strategy, r.n);
      stats.total_tenants += r.n;
    }
    stats.active_instances = stats.by_status.active ?? 0;
    return stats;
  }
}
