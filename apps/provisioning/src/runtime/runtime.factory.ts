import { isIP } from 'node:net';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ConfigError } from '@saas/config';
import type { Clock } from '@saas/service-kit';
import { tenantDatabaseAdminUrl } from '../tenant-database/tenant-database.factory.js';
import { KubernetesRuntime, type KubernetesRuntimeOptions } from './kubernetes/kubernetes-runtime.js';
import type { InstanceStateStore } from './local/instance-state.store.js';
import { LocalRuntime, type LocalRuntimeOptions } from './local/local-runtime.js';
import { parsePortRange } from './local/port-allocator.js';
import { splitCommand } from './local/tenant-process.js';
import { repoRoot } from './repo-root.js';
import type { ProvisioningRuntimeConfig } from './runtime.config.js';
import type { TenantRuntime, TenantStorageMeter } from './tenant-runtime.js';

export type TenantRuntimeConfig = ProvisioningRuntimeConfig & { DATABASE_URL: string; LOG_LEVEL?: string };

export interface TenantRuntimeDeps {
  logger: Logger;
  /** Database sizes for the storage metric (the TenantDatabaseManager). */
  storage?: TenantStorageMeter;
  /** Local runtime: where instance state lives (default JSON files in LOCAL_RUNTIME_DIR). */
  stateStore?: InstanceStateStore;
  /** Kubernetes runtime: default from KUBECONFIG / ~/.kube/config / in-cluster. */
  kubeConfig?: KubeConfig;
  /** The time instances' states and samples are stamped with (default: the system clock). */
  clock?: Clock;
}

/** The runtime PROVISIONING_RUNTIME names, not yet initialised (call `init()` at start-up, `close()` at shutdown). */
export function createTenantRuntime(config: TenantRuntimeConfig, deps: TenantRuntimeDeps): TenantRuntime {
  switch (config.PROVISIONING_RUNTIME) {
    case 'local':
      return new LocalRuntime(localRuntimeOptions(config), {
        logger: deps.logger,
        ...(deps.storage ? { storage: deps.storage } : {}),
        ...(deps.stateStore ? { stateStore: deps.stateStore } : {}),
        ...(deps.clock ? { clock: deps.clock } : {}),
      });
    case 'kubernetes':
      return new KubernetesRuntime(kubernetesRuntimeOptions(config), {
        kubeConfig: deps.kubeConfig ?? loadKubeConfig(config.KUBE_CONTEXT),
        logger: deps.logger,
        ...(deps.storage ? { storage: deps.storage } : {}),
        ...(deps.clock ? { clock: deps.clock } : {}),
      });
  }
}

export function localRuntimeOptions(config: TenantRuntimeConfig): LocalRuntimeOptions {
  const root = repoRoot();
  return {
    runtimeDir: config.LOCAL_RUNTIME_DIR ?? path.join(root, '.platform', 'tenants'),
    command: config.TENANT_APP_COMMAND ? splitCommand(config.TENANT_APP_COMMAND) : [process.execPath, path.join(root, 'dist', 'apps', 'tenant-app', 'src', 'main.js')],
    appVersion: config.TENANT_APP_VERSION,
    portRange: parsePortRange(config.LOCAL_PORT_RANGE),
    bindHost: config.LOCAL_BIND_HOST,
    accessUrlTemplate: config.TENANT_ACCESS_URL_TEMPLATE ?? 'http://{slug}.localhost:3000',
    startTimeoutMs: config.LOCAL_START_TIMEOUT_MS,
    stopTimeoutMs: config.LOCAL_STOP_TIMEOUT_MS,
    superviseIntervalMs: config.LOCAL_SUPERVISE_INTERVAL_MS,
    livenessFailures: config.LOCAL_LIVENESS_FAILURES,
    restartBackoffMs: config.LOCAL_RESTART_BACKOFF_MS,
    metricsIntervalMs: config.LOCAL_METRICS_INTERVAL_MS,
    metricsSamples: config.LOCAL_METRICS_SAMPLES,
    logMaxBytes: config.LOCAL_LOG_MAX_BYTES,
    appLogLevel: config.LOG_LEVEL === 'silent' ? 'warn' : (config.LOG_LEVEL ?? 'info'),
  };
}

/** `<cidr>:<port>` (the port after the last colon: IPv6 CIDRs have colons too). */
function archiveEgress(value: string): { cidr: string; port: number } {
  const at = value.lastIndexOf(':');
  return { cidr: value.slice(0, at), port: Number(value.slice(at + 1)) };
}

export function kubernetesRuntimeOptions(config: TenantRuntimeConfig): KubernetesRuntimeOptions {
  const odoo = config.KUBE_APP_FLAVOR === 'odoo';
  return {
    image: config.KUBE_TENANT_IMAGE,
    flavor: config.KUBE_APP_FLAVOR,
    port: config.KUBE_APP_PORT ?? (odoo ? 8069 : 8080),
    healthPath: config.KUBE_HEALTH_PATH ?? (odoo ? '/web/health' : '/health'),
    ...(config.KUBE_IMAGE_PULL_SECRET ? { imagePullSecret: config.KUBE_IMAGE_PULL_SECRET } : {}),
    baseDomain: config.KUBE_BASE_DOMAIN,
    ingressClass: config.KUBE_INGRESS_CLASS,
    ...(config.KUBE_TLS_SECRET ? { tlsSecret: config.KUBE_TLS_SECRET } : {}),
    ...(config.KUBE_CERT_MANAGER_ISSUER ? { certManagerIssuer: config.KUBE_CERT_MANAGER_ISSUER } : {}),
    gitImage: config.KUBE_GIT_IMAGE,
    archiveImage: config.KUBE_ARCHIVE_IMAGE,
    ...(config.KUBE_ARCHIVE_EGRESS ? { archiveEgress: archiveEgress(config.KUBE_ARCHIVE_EGRESS) } : {}),
    ingressNamespaceLabels: Object.fromEntries(config.KUBE_INGRESS_NAMESPACE_LABELS.split(',').map((kv) => kv.split('=') as [string, string])),
    databaseCidr: databaseCidr(config),
    ...(config.KUBE_STORAGE_CLASS ? { storageClass: config.KUBE_STORAGE_CLASS } : {}),
    rolloutTimeoutMs: config.KUBE_ROLLOUT_TIMEOUT_MS,
    deleteTimeoutMs: config.KUBE_DELETE_TIMEOUT_MS,
    pollIntervalMs: config.KUBE_POLL_INTERVAL_MS,
    metricsIntervalMs: config.KUBE_METRICS_INTERVAL_MS,
    metricsSamples: config.LOCAL_METRICS_SAMPLES,
    logLimitBytes: config.KUBE_LOG_LIMIT_BYTES,
  };
}

/** The egress rule needs an address: KUBE_DATABASE_CIDR, or the tenant database host when it is an IP. */
function databaseCidr(config: TenantRuntimeConfig): string {
  if (config.KUBE_DATABASE_CIDR) return config.KUBE_DATABASE_CIDR;
  const host = config.TENANT_DATABASE_HOST ?? new URL(tenantDatabaseAdminUrl(config)).hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  if (family === 0) {
    throw new ConfigError('provisioning', [`KUBE_DATABASE_CIDR: required when the tenant database host ("${host}") is not an IP address`]);
  }
  return `${host}/${family === 4 ? 32 : 128}`;
}

function loadKubeConfig(context?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  if (context) kc.setCurrentContext(context);
  return kc;
}
