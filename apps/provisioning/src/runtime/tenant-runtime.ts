import type { DatabaseStrategy, TenantDatabaseInfo, TenantDatabaseRef } from '../tenant-database/tenant-database.types.js';
import type { PlanResources, TenantPlan } from './plans.js';

export type RuntimeKind = 'local' | 'kubernetes';

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

/**
 * `deleting`: removal started but the runtime has not finished (a Kubernetes namespace still
 * terminating). `absent`: the runtime knows the tenant but no instance exists (half provisioned).
 */
export type InstanceStatus = 'starting' | 'running' | 'stopped' | 'failed' | 'deleting' | 'absent';

export type InstanceEndpoint =
  | { kind: 'local'; host: string; port: number | null; pid: number | null }
  | { kind: 'kubernetes'; namespace: string; deployment: string; service: string; ingress_host: string };

/** An instance as the API shows it (`GET tenants/{id}/instance`), hence snake_case. */
export interface InstanceInfo {
  tenant_id: string;
  slug: string;
  runtime: RuntimeKind;
  status: InstanceStatus;
  plan: TenantPlan;
  resources: PlanResources;
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

export interface MetricsRange {
  from: Date;
  to: Date;
  step_s: number;
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

export interface InstanceMetrics {
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

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogQuery {
  /** Minimum level (this level and above). */
  level?: LogLevel;
  from?: Date;
  to?: Date;
  page: number;
  page_size: number;
  search?: string;
}

export interface LogEntry {
  timestamp: string | null;
  level: LogLevel;
  message: string;
  /** Pod name (Kubernetes), `app` or `runtime` (local). */
  source: string;
  /** The rest of a structured line. */
  fields?: Record<string, unknown>;
}

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
}

/** Measures a tenant's database for the storage metric (the TenantDatabaseManager does). */
export interface TenantStorageMeter {
  sizeBytes(ref: TenantDatabaseRef): Promise<number>;
}
