import { z } from 'zod';

const ms = (def: number, min = 10) => z.coerce.number().int().min(min).max(3_600_000).default(def);
const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case Postgres identifier');
/** `key=value[,key=value]`, as in a label selector. */
const labelMap = z
  .string()
  .regex(/^([A-Za-z0-9./_-]+=[A-Za-z0-9._-]*)(,[A-Za-z0-9./_-]+=[A-Za-z0-9._-]*)*$/, 'must be key=value[,key=value…]');

/**
 * The runtime layer's variables. The service merges this shape into its own schema
 * (`baseConfigSchema.extend(provisioningRuntimeConfig.shape)`); cross-variable checks happen in
 * `createTenantRuntime`, where the runtime that needs them is chosen.
 */
export const provisioningRuntimeConfig = z.object({
  PROVISIONING_RUNTIME: z.enum(['local', 'kubernetes']).default('local'),

  /** Server where tenant databases are created; default: DATABASE_URL's server, `postgres` database. */
  TENANT_DATABASE_ADMIN_URL: z.string().url().optional(),
  /** Host/port tenant instances connect to, when not the admin URL's (e.g. a cluster-internal name). */
  TENANT_DATABASE_HOST: z.string().min(1).optional(),
  TENANT_DATABASE_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SHARED_TENANT_DATABASE: identifier.default('saas_tenants_shared'),
  /**
   * Empty databases kept ready for `dedicated` tenants, so a sign-up renames one instead of waiting
   * for CREATE DATABASE (ADR 0009). Default 5, and 0 under NODE_ENV=test (tests opt in).
   */
  TENANT_DATABASE_SPARES: z.coerce.number().int().min(0).max(100).optional(),
  /** `{slug}` is replaced; local default is the gateway's host-based proxy. */
  TENANT_ACCESS_URL_TEMPLATE: z.string().includes('{slug}').optional(),

  /** Command line of the tenant app (no shell); default `node <repo>/dist/apps/tenant-app/src/main.js`. */
  TENANT_APP_COMMAND: z.string().min(1).optional(),
  TENANT_APP_VERSION: z.string().min(1).default('tenant-app-0.1.0'),
  /** Per-tenant state, logs; default `<repo>/.platform/tenants`. */
  LOCAL_RUNTIME_DIR: z.string().min(1).optional(),
  LOCAL_PORT_RANGE: z
    .string()
    .regex(/^\d{2,5}-\d{2,5}$/, 'must be <first>-<last>, e.g. 20000-29999')
    .refine((v) => {
      const [a, b] = v.split('-').map(Number);
      return a! >= 1024 && b! <= 65535 && a! <= b!;
    }, 'must be a non-empty range within 1024-65535')
    .default('20000-29999'),
  LOCAL_BIND_HOST: z.string().min(1).default('127.0.0.1'),
  LOCAL_START_TIMEOUT_MS: ms(30_000, 100),
  LOCAL_STOP_TIMEOUT_MS: ms(10_000, 100),
  LOCAL_SUPERVISE_INTERVAL_MS: ms(1_000),
  /** A running app failing this many health checks in a row (one per supervision pass) is restarted as hung; 0 = never. */
  LOCAL_LIVENESS_FAILURES: z.coerce.number().int().min(0).max(100).default(3),
  LOCAL_RESTART_BACKOFF_MS: ms(500),
  LOCAL_METRICS_INTERVAL_MS: ms(10_000),
  LOCAL_METRICS_SAMPLES: z.coerce.number().int().min(2).max(100_000).default(360),
  /** The app's log file is rotated (one old generation kept) beyond this size. */
  LOCAL_LOG_MAX_BYTES: z.coerce.number().int().min(4096).default(10 * 1024 * 1024),

  /** kubeconfig context; default: KUBECONFIG / ~/.kube/config current context, or in-cluster. */
  KUBE_CONTEXT: z.string().min(1).optional(),
  KUBE_TENANT_IMAGE: z.string().min(1).default('odoo:17'),
  /** `odoo`: Odoo's env, args, port 8069 and /web/health; `generic`: DATABASE_URL, port 8080 and /health (the sample app). */
  KUBE_APP_FLAVOR: z.enum(['odoo', 'generic']).default('odoo'),
  KUBE_APP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  KUBE_HEALTH_PATH: z.string().startsWith('/').optional(),
  KUBE_IMAGE_PULL_SECRET: z.string().min(1).optional(),
  KUBE_BASE_DOMAIN: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be a DNS name').default('tenants.localhost'),
  KUBE_INGRESS_CLASS: z.string().min(1).default('nginx'),
  /** TLS secret (in each tenant namespace, e.g. replicated wildcard) or a cert-manager ClusterIssuer; neither = plain HTTP. */
  KUBE_TLS_SECRET: z.string().min(1).optional(),
  KUBE_CERT_MANAGER_ISSUER: z.string().min(1).optional(),
  /** Labels of the ingress controller's namespace: the only namespace allowed to reach tenant pods. */
  KUBE_INGRESS_NAMESPACE_LABELS: labelMap.default('kubernetes.io/metadata.name=ingress-nginx'),
  /** Where tenant pods may connect for their database; default: the tenant database host as /32 when it is an IP. */
  KUBE_DATABASE_CIDR: z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'must be a CIDR').optional(),
  KUBE_STORAGE_CLASS: z.string().min(1).optional(),
  /** Image of the init container that clones a tenant's custom_plugin_repo (any image with `git`). */
  KUBE_GIT_IMAGE: z.string().min(1).default('alpine/git:2.45.2'),
  /** Image of the Job that archives a tenant's volume for a backup (needs `sh`, `tar`, `sha256sum`, `curl`). */
  KUBE_ARCHIVE_IMAGE: z.string().min(1).default('curlimages/curl:8.8.0'),
  /** Where that Job may upload (the backup storage), `<cidr>:<port>`; default: public addresses on 443. */
  KUBE_ARCHIVE_EGRESS: z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}:\d{1,5}$/, 'must be <cidr>:<port>').optional(),
  KUBE_ROLLOUT_TIMEOUT_MS: ms(600_000, 100),
  KUBE_DELETE_TIMEOUT_MS: ms(120_000, 100),
  KUBE_POLL_INTERVAL_MS: ms(2_000),
  KUBE_METRICS_INTERVAL_MS: ms(30_000),
  KUBE_LOG_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
});

export type ProvisioningRuntimeConfig = z.infer<typeof provisioningRuntimeConfig>;
