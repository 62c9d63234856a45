import type { DatabaseStrategy, TenantDatabaseInfo, TenantDatabaseRef } from '../tenant-database/tenant-database.types.js';
import { LogLevels, type InstanceMetricsView, type InstanceView, type LogEntryView, type LogLevel, type RuntimeKind } from '@saas/contracts';
import type { TenantPlan } from './plans.js';

export type { InstanceEndpoint, InstanceStatus, LogLevel, MetricPoint, RuntimeKind } from '@saas/contracts';

/** What provisioning knows about a tenant when it asks for an instance. */
export interface TenantSpec {
  tenantId: string;
  /** DNS label; names the subdomain, the namespace and the database (see tenant-names.ts). */
  slug: string;
  name: string;
  plan: TenantPlan;
  databaseStrategy: DatabaseStrategy;
  adminEmail?: string;
  /** Secret: the instance's initial admin password. */
  adminPassword?: string;
  customPluginRepo?: string;
}

/** An instance as the API shows it (`GET tenants/{id}/instance`), hence snake_case: the contract's view. */
export type InstanceInfo = InstanceView;

export interface MetricsRange {
  from: Date;
  to: Date;
  step_s: number;
}

export type InstanceMetrics = InstanceMetricsView;

export const LOG_LEVELS = LogLevels;

export interface LogQuery {
  /** Minimum level (this level and above). */
  level?: LogLevel;
  from?: Date;
  to?: Date;
  page: number;
  page_size: number;
  search?: string;
}

export type LogEntry = LogEntryView;

export interface LogPage {
  count: number;
  results: LogEntry[];
}

export type StepCallback = (step: string, progress: number) => void;

/**
 * Runs tenants' application instances. Every method is idempotent and safe to call again after the
 * caller crashed half-way: it converges on the requested state and never creates a second instance.
 */
export interface TenantRuntime {
  readonly kind: RuntimeKind;
  /** Adopts what a previous process left running and starts background supervision. */
  init(): Promise<void>;
  /** Stops background work; tenants' instances keep running. */
  close(): Promise<void>;
  /** Create or update the instance for this spec and database, and wait until it is healthy. */
  ensureInstance(spec: TenantSpec, db: TenantDatabaseInfo, onStep?: StepCallback): Promise<InstanceInfo>;
  stopInstance(tenantId: string): Promise<InstanceInfo>;
  startInstance(tenantId: string, onStep?: StepCallback): Promise<InstanceInfo>;
  restartInstance(tenantId: string, onStep?: StepCallback): Promise<InstanceInfo>;
  /** Removes the instance and everything the runtime made for it; fine when there is nothing. */
  removeInstance(tenantId: string): Promise<void>;
  getInstance(tenantId: string): Promise<InstanceInfo | null>;
  metrics(tenantId: string, range: MetricsRange): Promise<InstanceMetrics>;
  logs(tenantId: string, query: LogQuery): Promise<LogPage>;
  /** Where the gateway proxies `<slug>.localhost`; null when the instance is not serving. */
  resolveUpstream(slug: string): Promise<{ host: string; port: number } | null>;
  /**
   * Runtimes that keep the app's files on a volume of their own (kubernetes): archive it (a tar) to
   * `uploadUrl`, a presigned PUT, and say what was uploaded. A new archive each call.
   */
  archiveVolume?(tenantId: string, uploadUrl: string, timeoutMs: number): Promise<{ size_bytes: number; sha256: string }>;
  /** The reverse, with the instance stopped: the volume's content replaced by the archive at `downloadUrl` (a presigned GET), checked against `sha256` first. */
  restoreVolume?(tenantId: string, downloadUrl: string, sha256: string, timeoutMs: number): Promise<void>;
}

/** Measures a tenant's database for the storage metric (the TenantDatabaseManager does). */
export interface TenantStorageMeter {
  sizeBytes(ref: TenantDatabaseRef): Promise<number>;
}
