import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUrl, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { CallerDto } from './caller.js';
import { PageNumber } from './list.js';
import { EventTypes } from './subjects.js';

export const RuntimeKinds = Object.freeze(['local', 'kubernetes'] as const);
export type RuntimeKind = (typeof RuntimeKinds)[number];

/**
 * `deleting`: removal started but the runtime has not finished (a Kubernetes namespace still
 * terminating). `absent`: the runtime knows the tenant but no instance exists (half provisioned).
 */
export const InstanceStatuses = Object.freeze(['starting', 'running', 'stopped', 'failed', 'deleting', 'absent'] as const);
export type InstanceStatus = (typeof InstanceStatuses)[number];

export const LogLevels = Object.freeze(['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const);
export type LogLevel = (typeof LogLevels)[number];

/** What an instance gets from its plan (requests/limits in Kubernetes quantities). */
export interface InstanceResources {
  cpu_request: string;
  cpu_limit: string;
  memory_request: string;
  memory_limit: string;
  /** Size of the instance's persistent volume (Odoo filestore) and the database-size budget. */
  storage: string;
  /** Pods the namespace may hold at once (replicas + room for a rollout). */
  max_pods: number;
  /** Replicas while running. Odoo keeps sessions and its filestore on disk, so one writer per tenant. */
  replicas: number;
}

export interface LocalInstanceEndpoint {
  kind: 'local';
  host: string;
  port: number | null;
  pid: number | null;
}
export interface KubernetesInstanceEndpoint {
  kind: 'kubernetes';
  namespace: string;
  deployment: string;
  service: string;
  ingress_host: string;
}
export type InstanceEndpoint = LocalInstanceEndpoint | KubernetesInstanceEndpoint;

/** `rpc.provisioning.instance.get` → `GET tenants/{id}/instance`. */
export interface InstanceView {
  tenant_id: string;
  slug: string;
  runtime: RuntimeKind;
  status: InstanceStatus;
  /** The plan the instance was sized for (`starter` is kept for instances created with it). */
  plan: string;
  resources: InstanceResources;
  access_url: string;
  /** Template (local) or image (Kubernetes) the instance runs. */
  version: string;
  endpoint: InstanceEndpoint;
  started_at: string | null;
  /** Restarts the runtime did on its own after crashes (not the ones asked for). */
  restarts: number;
  /** Why the instance is `failed`, when known. */
  error: string | null;
}

/** One point of a series; null where the runtime cannot measure it. */
export interface MetricPoint {
  timestamp: string;
  cpu_percent: number | null;
  memory_bytes: number | null;
  storage_bytes: number | null;
  network_rx_bytes: number | null;
  network_tx_bytes: number | null;
}

/** `rpc.provisioning.instance.metrics` → `GET tenants/{id}/metrics`. */
export interface InstanceMetricsView {
  tenant_id: string;
  runtime: RuntimeKind;
  from: string;
  to: string;
  step_s: number;
  limits: { cpu_limit: string; memory_limit: string; storage: string };
  /** The latest sample, whatever the range. */
  current: MetricPoint | null;
  /** Averages per `step_s` bucket within the range, oldest first. */
  series: MetricPoint[];
}

/** One line of `GET tenants/{id}/logs` (`rpc.provisioning.instance.logs` answers a ListResult of them). */
export interface LogEntryView {
  timestamp: string | null;
  level: LogLevel;
  message: string;
  /** Pod name (Kubernetes), `app` or `runtime` (local). */
  source: string;
  /** The rest of a structured line. */
  fields?: Record<string, unknown>;
}

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
  /** Internal (backups): archive the tenant's volume (`TenantDataLocation.volume`) to a presigned upload URL. Never routed by the gateway. */
  internalVolumeArchive: 'rpc.provisioning.internal.volume-archive',
  /** Internal (backups' restore): put an archive back onto the tenant's volume from a presigned download URL. Never routed by the gateway. */
  internalVolumeRestore: 'rpc.provisioning.internal.volume-restore',
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

/**
 * A tenant's instance as a user asks for it (`GET tenants/{id}/instance`, metrics, logs): the
 * provisioning service authorizes the forwarded caller for the tenant itself (`rpc.tenants.access`),
 * rather than trusting that whoever called checked first.
 */
export class TenantInstanceRequest extends InstanceRefRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;
}

export class InstanceMetricsRequest extends TenantInstanceRequest {
  @IsOptional() @IsISO8601() from?: string;
  @IsOptional() @IsISO8601() to?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(86_400) step_s?: number;
}

export class InstanceLogsRequest extends TenantInstanceRequest {
  @IsOptional() @IsIn(LogLevels) level?: LogLevel;
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

/** The payload class of every event provisioning publishes (part of the event catalogue). */
export const ProvisioningEventPayloads = Object.freeze({
  [EventTypes.ProvisioningStep]: ProvisioningEventData,
  [EventTypes.ProvisioningSucceeded]: ProvisioningEventData,
  [EventTypes.ProvisioningFailed]: ProvisioningEventData,
});

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
  /** The app's files are on a volume of the runtime's (kubernetes): archived by `internalVolumeArchive`. */
  volume?: boolean;
}

/** `rpc.provisioning.internal.volume-archive`: the runtime archives the volume (a tar) and PUTs it to `upload_url`. */
export class VolumeArchiveRequest extends InstanceRefRequest {
  /** A presigned PUT of the backup storage: the runtime never holds the storage's credentials. */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(4000)
  upload_url!: string;

  @IsInt()
  @Min(1_000)
  @Max(6 * 3_600_000)
  timeout_ms!: number;
}

/** `rpc.provisioning.internal.volume-restore`: the runtime downloads `download_url`, checks `sha256`, and replaces the volume's content with it. */
export class VolumeRestoreRequest extends InstanceRefRequest {
  /** A presigned GET of the backup storage. */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(4000)
  download_url!: string;

  @Matches(/^[0-9a-f]{64}$/)
  sha256!: string;

  @IsInt()
  @Min(1_000)
  @Max(6 * 3_600_000)
  timeout_ms!: number;
}

/** What the runtime uploaded: the backups service reads it back and checks both. */
export interface VolumeArchiveResult {
  tenant_id: string;
  size_bytes: number;
  sha256: string;
}

/** `rpc.provisioning.internal.instance-power`: the instance after the action (status `running` once healthy). */
export interface InstancePowerResult {
  tenant_id: string;
  status: string;
}

/** Answer of `rpc.provisioning.instance.route`: where the tenant's app listens, or `null` when it is not serving. */
export interface InstanceRouteView {
  upstream: { host: string; port: number } | null;
}

/** Answer of `rpc.provisioning.internal.volume-restore`. */
export interface VolumeRestoreResult {
  tenant_id: string;
}
