import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { CallerDto } from './caller.js';
import { PageNumber } from './list.js';

/** RPC subjects of the provisioning service (internal: the gateway authorizes the tenant first). */
export const ProvisioningRpc = Object.freeze({
  instanceGet: 'rpc.provisioning.instance.get',
  instanceMetrics: 'rpc.provisioning.instance.metrics',
  instanceLogs: 'rpc.provisioning.instance.logs',
  /** Where the gateway proxies `http://<slug>.<host>`; answers `null` when the instance is not serving. */
  instanceRoute: 'rpc.provisioning.instance.route',
  /** Every live instance summed up, for `admin/metrics/platform` (callers authorize: admins only). */
  instancesStats: 'rpc.provisioning.instances.stats',
  /** Internal (backups): where a tenant's database/schema and app files are. Never routed by the gateway. */
  internalTenantData: 'rpc.provisioning.internal.tenant-data',
  /** Internal (backups' restore): stop or start the instance, waiting until it is so. Never routed by the gateway. */
  internalInstancePower: 'rpc.provisioning.internal.instance-power',
});

export class InstancesStatsRequest {
  /** Who asks (the gateway has checked the admin role); for the service's logs. */
  @IsOptional()
  @ValidateNested()
  @Type(() => CallerDto)
  caller?: CallerDto;
}

/** `rpc.provisioning.instances.stats`. Resource figures are sums of each instance's latest sample. */
export interface InstancesStats {
  runtime: string;
  total: number;
  by_status: Record<string, number>;
  /** Restarts the runtime did on its own after crashes, summed. */
  crash_restarts: number;
  cpu_percent: number;
  memory_bytes: number;
  storage_bytes: number;
  /** Ready spare databases (ADR 0009), null when the pool is off. */
  spare_databases: number | null;
  jobs: { queued: number; running: number; failed_last_24h: number };
}

export class InstanceRefRequest {
  @IsUUID()
  tenant_id!: string;
}

export class InstanceMetricsRequest extends InstanceRefRequest {
  @IsOptional() @IsISO8601() from?: string;
  @IsOptional() @IsISO8601() to?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(86_400) step_s?: number;
}

export class InstanceLogsRequest extends InstanceRefRequest {
  @IsOptional() @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal']) level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  @IsOptional() @IsISO8601() from?: string;
  @IsOptional() @IsISO8601() to?: string;
  @PageNumber() page: number = 1;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) page_size: number = 100;
  @IsOptional() @IsString() @MaxLength(200) search?: string;
}

export class InstanceRouteRequest {
  @Matches(/^[a-z0-9]([a-z0-9-]{1,61}[a-z0-9])$/)
  slug!: string;
}

/**
 * provisioning.* event data (public contract; additive changes only), validated on arrival by its
 * consumers (the tenants saga) with this one class.
 */
export class ProvisioningEventData {
  @IsUUID() tenant_id!: string;
  @IsUUID() operation_id!: string;
  @IsOptional() @IsString() kind?: string;
  @IsOptional() @IsString() step?: string;
  @IsOptional() @IsInt() @Min(0) @Max(100) progress?: number;
  @IsOptional() @IsString() reason?: string;
  @IsOptional() @IsBoolean() retryable?: boolean;
  @IsOptional() @IsString() access_url?: string;
  @IsOptional() @IsIn(['shared', 'dedicated']) database_strategy?: 'shared' | 'dedicated';
  @IsOptional() @IsString() runtime?: string;
  /** provisioning.succeeded of a provision/resize: the runtime's names of the tenant's resources. */
  @IsOptional() @IsObject() service_ids?: Record<string, string>;
}

export class InstancePowerRequest extends InstanceRefRequest {
  @IsIn(['stop', 'start'])
  action!: 'stop' | 'start';
}

/**
 * `rpc.provisioning.internal.tenant-data`: where the tenant's data lives, without credentials (the
 * backups service reaches the database server with its own admin URL). 404 `INSTANCE_NOT_FOUND`
 * when the tenant has no database (yet, or any more).
 */
export interface TenantDataLocation {
  tenant_id: string;
  slug: string;
  plan: string;
  runtime: string;
  app_version: string | null;
  database: { strategy: 'shared' | 'dedicated'; database: string; schema: string; role: string };
  /** The app's files on this machine (local runtime), minus `exclude` (runtime state, logs); null when the runtime keeps none here. */
  files: { dir: string; exclude: string[] } | null;
}

/** `rpc.provisioning.internal.instance-power`: the instance after the action (status `running` once healthy). */
export interface InstancePowerResult {
  tenant_id: string;
  status: string;
}
