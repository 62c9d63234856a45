import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantsRpc } from '@saas/contracts';
import { SecretBox } from '@saas/database';
import { DomainException } from '@saas/errors';
import { RpcClient } from '@saas/messaging';
import { Clock } from '@saas/service-kit';
import { TenantInstance } from '../instances/tenant-instance.entity.js';
import type { TenantPlan } from '../runtime/plans.js';
import type { InstanceInfo, TenantRuntime, TenantSpec } from '../runtime/tenant-runtime.js';
import type { TenantDatabaseManager } from '../tenant-database/tenant-database.manager.js';
import type { DatabaseStrategy, TenantDatabaseInfo } from '../tenant-database/tenant-database.types.js';
import type { ProvisioningJob } from './provisioning-job.entity.js';
import { TENANT_RUNTIME } from '../runtime/runtime.tokens.js';
import { TENANT_DATABASES } from '../tenant-database/tenant-database.tokens.js';
import { PROVISIONING_SECRETS } from './tokens.js';

/** What a running job can do: report a step (persisted and published) and check it still holds its lease. */
export interface JobContext {
  step(name: string, progress: number): Promise<void>;
}

/** What a finished job tells the tenants service, on top of tenant and operation ids. */
export interface JobOutcome {
  access_url?: string;
  database_strategy?: DatabaseStrategy;
  runtime?: string;
  service_ids?: Record<string, string>;
}

/**
 * The runtime's names of a tenant's resources, for operators to find them (seed 003's
 * `render_service_ids`): the workload and, on Kubernetes, its service and ingress host; the
 * database (`<database>.<schema>` when shared). Nothing that changes on a restart (no pid, no port).
 */
export function serviceIds(info: InstanceInfo, db: Pick<TenantDatabaseInfo, 'strategy' | 'database' | 'schema'>): Record<string, string> {
  const database = db.strategy === 'shared' ? `${db.database}.${db.schema}` : db.database;
  const e = info.endpoint;
  return e.kind === 'kubernetes'
    ? { web_service: `${e.namespace}/deployment/${e.deployment}`, service: `${e.namespace}/service/${e.service}`, ingress: e.ingress_host, database }
    : { web_service: `local/${info.slug}`, database };
}

export class PermanentJobFailure extends Error {}

/**
 * The steps of each operation on a tenant's resources. Each is idempotent — the database and the
 * runtime converge on the requested state — so a job interrupted anywhere is simply run again.
 */
@Injectable()
export class ProvisioningSteps {
  constructor(
    private readonly ds: DataSource,
    private readonly rpc: RpcClient,
    private readonly clock: Clock,
    @Inject(TENANT_RUNTIME) private readonly runtime: TenantRuntime,
    @Inject(TENANT_DATABASES) private readonly databases: TenantDatabaseManager,
    @Inject(PROVISIONING_SECRETS) private readonly secrets: SecretBox,
  ) {}

  async execute(job: ProvisioningJob, ctx: JobContext): Promise<JobOutcome> {
    switch (job.kind) {
      case 'provision':
        return this.provision(job, ctx);
      case 'resize':
        return this.provision(job, ctx, job.params.to as string | undefined);
      case 'stop':
      case 'suspend':
        await ctx.step('stopping instance', 50);
        await this.runtime.stopInstance(job.tenantId);
        await this.setDesired(job.tenantId, 'stopped');
        return {};
      case 'start':
      case 'resume': {
        if (!(await this.runtime.getInstance(job.tenantId))) return this.provision(job, ctx);
        await ctx.step('starting instance', 40);
        const info = await this.runtime.startInstance(job.tenantId, (s, p) => void ctx.step(s, 40 + Math.round(p * 0.5)));
        await this.setDesired(job.tenantId, 'running');
        return { access_url: info.access_url };
      }
      case 'restart':
      case 'migrate': {
        if (!(await this.runtime.getInstance(job.tenantId))) return this.provision(job, ctx);
        await ctx.step('restarting instance', 40);
        const info = await this.runtime.restartInstance(job.tenantId, (s, p) => void ctx.step(s, 40 + Math.round(p * 0.5)));
        return { access_url: info.access_url };
      }
      case 'migrate_strategy':
        return this.moveData(job, ctx);
      case 'delete':
        return this.remove(job, ctx);
      default:
        throw new PermanentJobFailure(`unknown operation "${job.kind}"`);
    }
  }

  private spec(job: ProvisioningJob, adminPassword: string | null, plan?: string, strategy?: DatabaseStrategy): TenantSpec {
    return {
      tenantId: job.spec.tenant_id,
      slug: job.spec.slug,
      name: job.spec.name,
      plan: (plan ?? job.spec.plan) as TenantPlan,
      databaseStrategy: strategy ?? job.spec.database_strategy,
      ...(job.spec.admin_email ? { adminEmail: job.spec.admin_email } : {}),
      ...(adminPassword ? { adminPassword } : {}),
      ...(job.spec.custom_plugin_repo ? { customPluginRepo: job.spec.custom_plugin_repo } : {}),
    };
  }

  /** database → credentials → instance (healthy). Also the way back from half-provisioned states. */
  private async provision(job: ProvisioningJob, ctx: JobContext, plan?: string, strategy?: DatabaseStrategy): Promise<JobOutcome> {
    await ctx.step('database', 10);
    const db = await this.ensureDatabase(job, strategy ?? job.spec.database_strategy);
    await ctx.step('credentials', 30);
    const credentials = await this.rpc.call(TenantsRpc.internalCredentials, { tenant_id: job.tenantId });
    await ctx.step('instance', 40);
    const info = await this.runtime.ensureInstance(this.spec(job, credentials.admin_password, plan, strategy), db, (s, p) => void ctx.step(s, 40 + Math.round(p * 0.5)));
    if (info.status !== 'running') throw new Error(`the instance is ${info.status}${info.error ? `: ${info.error}` : ''}`);
    await ctx.step('ready', 95);
    await this.ds.getRepository(TenantInstance).update({ tenantId: job.tenantId }, { plan: plan ?? job.spec.plan, accessUrl: info.access_url, desiredState: 'running' });
    return { access_url: info.access_url, runtime: info.runtime, service_ids: serviceIds(info, db) };
  }

  /**
   * Creates (or finds) the tenant's database. The role's password is kept across re-runs — a
   * resumed job must not change it under an instance that is already connected.
   */
  private async ensureDatabase(job: ProvisioningJob, strategy: DatabaseStrategy): Promise<TenantDatabaseInfo> {
    const repo = this.ds.getRepository(TenantInstance);
    const existing = await repo.findOneBy({ tenantId: job.tenantId });
    const password = existing?.databasePassword ? this.secrets.open(existing.databasePassword) : undefined;
    const db = await this.databases.createDatabase(job.spec.slug, strategy, password);
    await repo.upsert(
      {
        tenantId: job.tenantId,
        slug: job.spec.slug,
        runtime: this.runtime.kind,
        plan: job.spec.plan,
        database: { strategy: db.strategy, host: db.host, port: db.port, database: db.database, schema: db.schema, role: db.role },
        databasePassword: this.secrets.seal(db.password),
        desiredState: 'running',
        deletedAt: null,
      },
      ['tenantId'],
    );
    return db;
  }

  /** database_strategy change: stop, move the data (dump → restore), start on the new store. */
  private async moveData(job: ProvisioningJob, ctx: JobContext): Promise<JobOutcome> {
    const from = job.params.from as DatabaseStrategy;
    const to = job.params.to as DatabaseStrategy;
    if (!from || !to) throw new PermanentJobFailure('migrate_strategy needs params.from and params.to');
    await ctx.step('stopping instance', 10);
    if (await this.runtime.getInstance(job.tenantId)) await this.runtime.stopInstance(job.tenantId);
    await ctx.step('moving data', 30);
    await this.databases.migrateStrategy(job.spec.slug, from, to);
    const outcome = await this.provision(job, ctx, undefined, to);
    return { ...outcome, database_strategy: to };
  }

  /** Deprovisioning: the instance, then the database, then the record. Nothing is left behind. */
  private async remove(job: ProvisioningJob, ctx: JobContext): Promise<JobOutcome> {
    await ctx.step('removing instance', 30);
    await this.setDesired(job.tenantId, 'deleted');
    await this.runtime.removeInstance(job.tenantId);
    await ctx.step('dropping database', 70);
    await this.databases.dropDatabase(job.spec.slug);
    await this.ds.getRepository(TenantInstance).update({ tenantId: job.tenantId }, { deletedAt: this.clock.now(), databasePassword: null, database: null });
    return {};
  }

  private async setDesired(tenantId: string, desiredState: TenantInstance['desiredState']): Promise<void> {
    await this.ds.getRepository(TenantInstance).update({ tenantId }, { desiredState });
  }
}

export function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentJobFailure) return true;
  return err instanceof DomainException && err.status >= 400 && err.status < 500 && err.status !== 404 && err.status !== 409;
}
