import { createHash } from 'node:crypto';
import type {
  V1Deployment,
  V1Ingress,
  V1Job,
  V1LimitRange,
  V1Namespace,
  V1NetworkPolicy,
  V1PersistentVolumeClaim,
  V1ResourceQuota,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import type { TenantDatabaseInfo, TenantDatabaseRef } from '../../tenant-database/tenant-database.types.js';
import { planResources, type PlanResources } from '../plans.js';
import type { TenantSpec } from '../tenant-runtime.js';
import {
  ANNOTATION_CONFIG_HASH,
  ANNOTATION_DATABASE,
  ANNOTATION_REPLICAS,
  KubeNames,
  podSelector,
  tenantLabels,
  tenantNamespace,
} from './kube-names.js';
import { scaleBytes, scaleCpu } from './quantities.js';
import { addonName } from '../plugin-repo.js';

/**
 * Pure renderers of a tenant's Kubernetes objects: same input, same output, no I/O, so they are
 * unit-tested and validated against the Kubernetes schemas, and applied as-is (server-side apply).
 */
export interface KubeRenderOptions {
  image: string;
  /** `odoo`: the stock Odoo image (env HOST/PORT/USER/PASSWORD, port 8069, /web/health); `generic`: DATABASE_URL and /health. */
  flavor: 'odoo' | 'generic';
  port: number;
  healthPath: string;
  imagePullSecret?: string;
  baseDomain: string;
  ingressClass: string;
  tlsSecret?: string;
  certManagerIssuer?: string;
  /** Labels of the ingress controller's namespace. */
  ingressNamespaceLabels: Record<string, string>;
  /** Where the tenant database is, for the egress rule. */
  databaseCidr: string;
  storageClass?: string;
  /** Image of the init container that clones a tenant's custom_plugin_repo (needs `git`). */
  gitImage?: string;
  /** Image of the Job that archives a tenant's volume (needs `sh`, `tar`, `sha256sum` and `curl`). */
  archiveImage?: string;
  /** Where that Job may upload to (the backup storage); default: public addresses, HTTPS. */
  archiveEgress?: { cidr: string; port: number };
}

export const DEFAULT_GIT_IMAGE = 'alpine/git:2.45.2';
export const DEFAULT_ARCHIVE_IMAGE = 'curlimages/curl:8.8.0';

/** Where add-ons are mounted in the app: the stock Odoo image already has this on its addons path. */
const ADDONS_MOUNT = '/mnt/extra-addons';

/** Private, loopback, link-local and metadata ranges: a plugin clone may reach the internet, never these. */
const NOT_PUBLIC = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16'];

export interface TenantObjects {
  namespace: V1Namespace;
  resourceQuota: V1ResourceQuota;
  limitRange: V1LimitRange;
  networkPolicy: V1NetworkPolicy;
  secret: V1Secret;
  volumeClaim: V1PersistentVolumeClaim;
  deployment: V1Deployment;
  service: V1Service;
  ingress: V1Ingress;
}

/**
 * The stock `odoo` image runs as its `odoo` user (uid/gid 101 in the official image) and needs a
 * writable /var/lib/odoo (filestore, sessions) and /tmp; its root filesystem must stay writable
 * (Odoo writes compiled assets and Python caches next to itself), so only that is relaxed. The
 * generic flavour (our sample app) runs read-only as an arbitrary non-root uid.
 */
const FLAVOURS = {
  odoo: { uid: 101, dataPath: '/var/lib/odoo', readOnlyRoot: false },
  generic: { uid: 10001, dataPath: '/data', readOnlyRoot: true },
} as const;

export function ingressHost(slug: string, options: Pick<KubeRenderOptions, 'baseDomain'>): string {
  return `${slug}.${options.baseDomain}`;
}

export function accessUrl(slug: string, options: Pick<KubeRenderOptions, 'baseDomain' | 'tlsSecret' | 'certManagerIssuer'>): string {
  const tls = Boolean(options.tlsSecret || options.certManagerIssuer);
  return `${tls ? 'https' : 'http'}://${ingressHost(slug, options)}`;
}

function meta(spec: Pick<TenantSpec, 'tenantId' | 'slug' | 'plan'>, name: string, extra: { annotations?: Record<string, string> } = {}) {
  return { name, namespace: tenantNamespace(spec.slug), labels: tenantLabels(spec), ...extra };
}

/** The namespace also remembers (non-secret) where the tenant's data is, for the storage metric. */
export function renderNamespace(spec: TenantSpec, db: TenantDatabaseRef): V1Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: tenantNamespace(spec.slug),
      annotations: { [ANNOTATION_DATABASE]: JSON.stringify({ strategy: db.strategy, database: db.database, schema: db.schema }) },
      labels: {
        ...tenantLabels(spec),
        // Pods that do not meet the restricted profile are refused, whatever a template says.
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  };
}

export function renderResourceQuota(spec: TenantSpec, r: PlanResources = planResources(spec.plan)): V1ResourceQuota {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: meta(spec, KubeNames.quota),
    spec: {
      hard: {
        pods: String(r.max_pods),
        'requests.cpu': scaleCpu(r.cpu_request, r.max_pods),
        'limits.cpu': scaleCpu(r.cpu_limit, r.max_pods),
        'requests.memory': scaleBytes(r.memory_request, r.max_pods),
        'limits.memory': scaleBytes(r.memory_limit, r.max_pods),
        'requests.storage': r.storage,
        persistentvolumeclaims: '2',
        'services.loadbalancers': '0',
        'services.nodeports': '0',
      },
    },
  };
}

export function renderLimitRange(spec: TenantSpec, r: PlanResources = planResources(spec.plan)): V1LimitRange {
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: meta(spec, KubeNames.limitRange),
    spec: {
      limits: [
        {
          type: 'Container',
          _default: { cpu: r.cpu_limit, memory: r.memory_limit },
          defaultRequest: { cpu: r.cpu_request, memory: r.memory_request },
          max: { cpu: r.cpu_limit, memory: r.memory_limit },
        },
        { type: 'PersistentVolumeClaim', max: { storage: r.storage } },
      ],
    },
  };
}

/**
 * Default deny both ways, then: ingress from the ingress controller's namespace and from the
 * tenant's own pods; egress to cluster DNS and to the database only. No route to other tenants,
 * the control plane or the internet.
 */
export function renderNetworkPolicy(spec: TenantSpec, db: Pick<TenantDatabaseInfo, 'port'>, options: KubeRenderOptions): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(spec, KubeNames.networkPolicy),
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          _from: [{ namespaceSelector: { matchLabels: options.ingressNamespaceLabels } }, { podSelector: {} }],
          ports: [{ protocol: 'TCP', port: options.port }],
        },
      ],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        {
          to: [{ ipBlock: { cidr: options.databaseCidr } }],
          ports: [{ protocol: 'TCP', port: db.port }],
        },
        // A custom_plugin_repo is cloned at start: HTTPS to public addresses only.
        ...(spec.customPluginRepo ? [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: NOT_PUBLIC } }], ports: [{ protocol: 'TCP', port: 443 }] }] : []),
      ],
    },
  };
}

/** Everything secret the app gets, as environment (the Deployment loads it with envFrom). */
export function renderSecret(spec: TenantSpec, db: TenantDatabaseInfo, options: Pick<KubeRenderOptions, 'flavor'>): V1Secret {
  const data: Record<string, string> = {
    DATABASE_URL: db.url,
    DATABASE_SCHEMA: db.schema,
    PGHOST: db.host,
    PGPORT: String(db.port),
    PGDATABASE: db.database,
    PGUSER: db.role,
    PGPASSWORD: db.password,
  };
  // The stock Odoo image's entrypoint reads these to build its connection flags.
  if (options.flavor === 'odoo') Object.assign(data, { HOST: db.host, PORT: String(db.port), USER: db.role, PASSWORD: db.password });
  if (spec.adminEmail) data.ADMIN_EMAIL = spec.adminEmail;
  if (spec.adminPassword) data.ADMIN_PASSWORD = spec.adminPassword;
  return { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: meta(spec, KubeNames.secret), stringData: data };
}

/** Hash of the Secret's content, put on the pod template so a credentials change rolls the pods. */
export function configHash(secret: V1Secret): string {
  return createHash('sha256').update(JSON.stringify(secret.stringData ?? {})).digest('hex').slice(0, 16);
}

export function renderVolumeClaim(spec: TenantSpec, options: Pick<KubeRenderOptions, 'storageClass'>, size = planResources(spec.plan).storage): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(spec, KubeNames.volumeClaim),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      ...(options.storageClass ? { storageClassName: options.storageClass } : {}),
    },
  };
}

export function renderDeployment(spec: TenantSpec, db: Pick<TenantDatabaseInfo, 'database'>, options: KubeRenderOptions, hash: string): V1Deployment {
  const r = planResources(spec.plan);
  const flavour = FLAVOURS[options.flavor];
  const labels = { ...tenantLabels(spec), ...podSelector(spec.slug) };
  const resources = { requests: { cpu: r.cpu_request, memory: r.memory_request }, limits: { cpu: r.cpu_limit, memory: r.memory_limit } };
  const containerSecurity = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: flavour.readOnlyRoot,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  };
  const probe = (periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path: options.healthPath, port: 'http' },
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold,
  });
  const env = [
    { name: 'TENANT_ID', value: spec.tenantId },
    { name: 'TENANT_SLUG', value: spec.slug },
    { name: 'TENANT_NAME', value: spec.name },
    { name: 'TENANT_PLAN', value: spec.plan },
    { name: 'PORT', value: String(options.port) },
    { name: 'HOST', value: '0.0.0.0' },
    ...(spec.customPluginRepo
      ? [
          { name: 'CUSTOM_PLUGIN_REPO', value: spec.customPluginRepo },
          { name: 'ADDONS_DIR', value: ADDONS_MOUNT },
        ]
      : []),
  ];
  const odooArgs = [`--database=${db.database}`, `--db-filter=^${db.database}$`, '--no-database-list', '--proxy-mode', `--data-dir=${flavour.dataPath}`];
  const mounts = [
    { name: 'data', mountPath: flavour.dataPath },
    { name: 'tmp', mountPath: '/tmp' },
    ...(spec.customPluginRepo ? [{ name: 'addons', mountPath: ADDONS_MOUNT, readOnly: true }] : []),
  ];
  // The tenant's add-ons, cloned before the app starts (a repository that cannot be cloned keeps the
  // pod in Init:Error with git's reason in the init container's log; the rollout then fails with it).
  const pluginInit = spec.customPluginRepo
    ? [
        {
          name: 'plugins',
          image: options.gitImage ?? DEFAULT_GIT_IMAGE,
          command: ['git'],
          args: ['clone', '--depth', '1', '--quiet', '--no-tags', '--', spec.customPluginRepo, `${ADDONS_MOUNT}/${addonName(spec.customPluginRepo)}`],
          env: [
            { name: 'HOME', value: '/tmp' },
            { name: 'GIT_TERMINAL_PROMPT', value: '0' },
          ],
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          securityContext: { ...containerSecurity, readOnlyRootFilesystem: true },
          volumeMounts: [
            { name: 'addons', mountPath: ADDONS_MOUNT },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ]
    : [];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(spec, KubeNames.deployment, { annotations: { [ANNOTATION_REPLICAS]: String(r.replicas) } }),
    spec: {
      replicas: r.replicas,
      // One pod at a time: the data volume is ReadWriteOnce and Odoo's filestore has one writer.
      strategy: { type: 'Recreate' },
      revisionHistoryLimit: 3,
      progressDeadlineSeconds: 900,
      selector: { matchLabels: podSelector(spec.slug) },
      template: {
        metadata: { labels, annotations: { [ANNOTATION_CONFIG_HASH]: hash } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: flavour.uid,
            runAsGroup: flavour.uid,
            fsGroup: flavour.uid,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(options.imagePullSecret ? { imagePullSecrets: [{ name: options.imagePullSecret }] } : {}),
          // Odoo does not create its schema on its own: the first start installs `base`, later ones find it done.
          ...(options.flavor === 'odoo' || pluginInit.length
            ? {
                initContainers: [
                  ...pluginInit,
                  ...(options.flavor !== 'odoo' ? [] : [{
                    name: 'init-db',
                    image: options.image,
                    args: [...odooArgs, '--init=base', '--without-demo=all', '--stop-after-init', '--no-http'],
                    envFrom: [{ secretRef: { name: KubeNames.secret } }],
                    env,
                    resources,
                    securityContext: containerSecurity,
                    volumeMounts: mounts,
                  }]),
                ],
              }
            : {}),
          containers: [
            {
              name: 'app',
              image: options.image,
              ...(options.flavor === 'odoo' ? { args: odooArgs } : {}),
              ports: [{ name: 'http', containerPort: options.port, protocol: 'TCP' }],
              envFrom: [{ secretRef: { name: KubeNames.secret } }],
              env,
              resources,
              securityContext: containerSecurity,
              startupProbe: probe(5, 60),
              readinessProbe: probe(10, 3),
              livenessProbe: probe(20, 3),
              volumeMounts: mounts,
            },
          ],
          volumes: [
            { name: 'data', persistentVolumeClaim: { claimName: KubeNames.volumeClaim } },
            { name: 'tmp', emptyDir: { sizeLimit: '512Mi' } },
            ...(spec.customPluginRepo ? [{ name: 'addons', emptyDir: { sizeLimit: '1Gi' } }] : []),
          ],
        },
      },
    },
  };
}

export function renderService(spec: TenantSpec): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(spec, KubeNames.service),
    spec: {
      type: 'ClusterIP',
      selector: podSelector(spec.slug),
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

export function renderIngress(spec: TenantSpec, options: KubeRenderOptions): V1Ingress {
  const host = ingressHost(spec.slug, options);
  const annotations: Record<string, string> = { 'nginx.ingress.kubernetes.io/proxy-body-size': '64m' };
  if (options.certManagerIssuer) annotations['cert-manager.io/cluster-issuer'] = options.certManagerIssuer;
  const tlsSecret = options.tlsSecret ?? (options.certManagerIssuer ? 'app-tls' : undefined);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: meta(spec, KubeNames.ingress, { annotations }),
    spec: {
      ingressClassName: options.ingressClass,
      ...(tlsSecret ? { tls: [{ hosts: [host], secretName: tlsSecret }] } : {}),
      rules: [
        {
          host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: KubeNames.service, port: { name: 'http' } } } }] },
        },
      ],
    },
  };
}

/** All of a tenant's objects, in the order they are applied (namespace and guards first, workload last). */
export function renderTenantObjects(spec: TenantSpec, db: TenantDatabaseInfo, options: KubeRenderOptions, volumeSize?: string): TenantObjects {
  const secret = renderSecret(spec, db, options);
  return {
    namespace: renderNamespace(spec, db),
    resourceQuota: renderResourceQuota(spec),
    limitRange: renderLimitRange(spec),
    networkPolicy: renderNetworkPolicy(spec, db, options),
    secret,
    volumeClaim: renderVolumeClaim(spec, options, volumeSize),
    deployment: renderDeployment(spec, db, options, configHash(secret)),
    service: renderService(spec),
    ingress: renderIngress(spec, options),
  };
}

/** The label of a volume Job's pods (`volume-archive` | `volume-restore`; the egress policy selects them). */
export const VOLUME_JOB_LABEL = 'saas-control-plane/job';

/** The line an archive Job prints last: what it uploaded. */
export const ARCHIVE_RESULT = /^volume-archive size=(\d+) sha256=([0-9a-f]{64})$/m;

export type VolumeJobKind = 'volume-archive' | 'volume-restore';

export interface VolumeJob {
  kind: VolumeJobKind;
  /** Unique per run: `<kind>-<id>`. */
  name: string;
  /** The Secret holding TRANSFER_URL (a presigned PUT or GET of the backup storage: the cluster never holds its credentials). */
  secretName: string;
  deadlineSeconds: number;
  /** `volume-restore`: the sha256 the downloaded archive must have. */
  sha256?: string;
}

/** What each kind runs: tar the volume and upload it; or download, check, empty the volume and untar into it. */
const VOLUME_SCRIPTS: Record<VolumeJobKind, string> = {
  'volume-archive': [
    'set -eu',
    'tar -C /data -cf /scratch/files.tar .',
    'size=$(wc -c < /scratch/files.tar | tr -d " ")',
    'sum=$(sha256sum /scratch/files.tar | cut -d " " -f 1)',
    'curl --fail --silent --show-error --retry 3 --upload-file /scratch/files.tar "$TRANSFER_URL"',
    'echo "volume-archive size=$size sha256=$sum"',
  ].join('\n'),
  'volume-restore': [
    'set -eu',
    'curl --fail --silent --show-error --retry 3 --output /scratch/files.tar "$TRANSFER_URL"',
    'sum=$(sha256sum /scratch/files.tar | cut -d " " -f 1)',
    'if [ "$sum" != "$EXPECTED_SHA256" ]; then echo "volume-restore: the archive downloaded has sha256 $sum, not $EXPECTED_SHA256"; exit 1; fi',
    'find /data -mindepth 1 -delete',
    'tar -C /data -xf /scratch/files.tar',
    'echo "volume-restore done"',
  ].join('\n'),
};

/**
 * A Job on the tenant's data volume, for a backup (`volume-archive`: the claim mounted read-only,
 * tarred into scratch space — a presigned PUT needs the length first —, uploaded with curl, its size
 * and sha256 printed as the last line, ARCHIVE_RESULT) or a restore (`volume-restore`: the archive
 * downloaded, its sha256 checked, the volume emptied and the archive unpacked into it; the instance
 * is stopped meanwhile). Preferably on the app pod's node (the claim is ReadWriteOnce). One attempt
 * (backoffLimit 0): the backup or restore that asked decides what next. Runs as the app's uid under
 * the restricted profile, without a service account token.
 */
export function renderVolumeJob(spec: Pick<TenantSpec, 'tenantId' | 'slug' | 'plan'>, options: Pick<KubeRenderOptions, 'flavor' | 'archiveImage'>, job: VolumeJob): V1Job {
  const flavour = FLAVOURS[options.flavor];
  const labels = { ...tenantLabels(spec), [VOLUME_JOB_LABEL]: job.kind };
  const restoring = job.kind === 'volume-restore';
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: job.name, namespace: tenantNamespace(spec.slug), labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: job.deadlineSeconds,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: flavour.uid, runAsGroup: flavour.uid, fsGroup: flavour.uid, seccompProfile: { type: 'RuntimeDefault' } },
          affinity: {
            podAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: podSelector(spec.slug) }, topologyKey: 'kubernetes.io/hostname' } },
              ],
            },
          },
          containers: [
            {
              name: 'volume',
              image: options.archiveImage ?? DEFAULT_ARCHIVE_IMAGE,
              command: ['/bin/sh', '-c', VOLUME_SCRIPTS[job.kind]],
              env: [
                { name: 'TRANSFER_URL', valueFrom: { secretKeyRef: { name: job.secretName, key: 'TRANSFER_URL' } } },
                ...(restoring ? [{ name: 'EXPECTED_SHA256', value: job.sha256 ?? '' }] : []),
              ],
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '256Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'data', mountPath: '/data', readOnly: !restoring },
                { name: 'scratch', mountPath: '/scratch' },
              ],
            },
          ],
          volumes: [
            { name: 'data', persistentVolumeClaim: { claimName: KubeNames.volumeClaim, readOnly: !restoring } },
            { name: 'scratch', emptyDir: { sizeLimit: planResources(spec.plan).storage } },
          ],
        },
      },
    },
  };
}

export function renderVolumeJobSecret(spec: Pick<TenantSpec, 'tenantId' | 'slug' | 'plan'>, job: VolumeJob, transferUrl: string): V1Secret {
  return { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: meta(spec, job.secretName), stringData: { TRANSFER_URL: transferUrl } };
}

/** The tenant's policy lets nothing out but DNS and its database: volume Jobs may also reach the backup storage. */
export function renderVolumeJobEgress(spec: Pick<TenantSpec, 'tenantId' | 'slug' | 'plan'>, options: Pick<KubeRenderOptions, 'archiveEgress'>): V1NetworkPolicy {
  const to = options.archiveEgress ? { ipBlock: { cidr: options.archiveEgress.cidr } } : { ipBlock: { cidr: '0.0.0.0/0', except: NOT_PUBLIC } };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(spec, KubeNames.volumeJobEgress),
    spec: {
      podSelector: { matchExpressions: [{ key: VOLUME_JOB_LABEL, operator: 'In', values: ['volume-archive', 'volume-restore'] }] },
      policyTypes: ['Egress'],
      egress: [{ to: [to], ports: [{ protocol: 'TCP', port: options.archiveEgress?.port ?? 443 }] }],
    },
  };
}
