import { randomUUID } from 'node:crypto';
import type { KubeConfig, V1Deployment, V1Job, V1Namespace, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { SystemClock, type Clock } from '@saas/service-kit';
import type { TenantDatabaseInfo, TenantDatabaseRef } from '../../tenant-database/tenant-database.types.js';
import { parseLogLine, queryLogs } from '../log-query.js';
import { MetricsHistory } from '../metrics-history.js';
import { planResources, TENANT_PLANS, type TenantPlan } from '../plans.js';
import { TenantRuntimeException } from '../runtime.exception.js';
import { assertTenantSlug } from '../tenant-names.js';
import type {
  InstanceInfo,
  InstanceMetrics,
  InstanceStatus,
  LogEntry,
  LogPage,
  LogQuery,
  MetricsRange,
  StepCallback,
  TenantRuntime,
  TenantSpec,
  TenantStorageMeter,
} from '../tenant-runtime.js';
import { apiStatus, KubeClient, type ObjectRef } from './kube-client.js';
import {
  ANNOTATION_DATABASE,
  ANNOTATION_REPLICAS,
  ANNOTATION_RESTARTED_AT,
  KubeNames,
  LABEL_MANAGED_BY,
  LABEL_PLAN,
  LABEL_TENANT_ID,
  LABEL_TENANT_SLUG,
  FIELD_MANAGER,
  podSelector,
  tenantNamespace,
} from './kube-names.js';
import {
  accessUrl,
  ARCHIVE_RESULT,
  ingressHost,
  renderTenantObjects,
  renderVolumeJob,
  renderVolumeJobEgress,
  renderVolumeJobSecret,
  type KubeRenderOptions,
  type VolumeJob,
  type VolumeJobKind,
} from './manifests.js';
import { parseQuantity } from './quantities.js';

export interface KubernetesRuntimeOptions extends KubeRenderOptions {
  rolloutTimeoutMs: number;
  deleteTimeoutMs: number;
  pollIntervalMs: number;
  metricsIntervalMs: number;
  metricsSamples: number;
  logLimitBytes: number;
}

/** What a volume-archive Job uploaded (its last log line). */
export interface VolumeArchive {
  job: string;
  size_bytes: number;
  sha256: string;
}

export interface KubernetesRuntimeDeps {
  kubeConfig: KubeConfig;
  logger: Logger;
  storage?: TenantStorageMeter;
  /** Stamps restarts, log windows and metric samples; default the system clock. */
  clock?: Clock;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const selector = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
const FAILING_REASONS = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'InvalidImageName']);

const deploymentRef = (namespace: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', name: KubeNames.deployment, namespace });
const namespaceRef = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Namespace', name });

/**
 * Tenants on a Kubernetes cluster (ARCHITECTURE § Provisioning runtimes, `kubernetes`): one
 * namespace per tenant holding its quota, limits, network isolation, Secret, volume, Deployment,
 * Service and Ingress. The cluster is the state: every method reads what is there and converges
 * (server-side apply), so there is nothing to recover after a crash of provisioning.
 */
export class KubernetesRuntime implements TenantRuntime {
  readonly kind = 'kubernetes' as const;
  private readonly client: KubeClient;
  private readonly history = new Map<string, MetricsHistory>();
  private metricsTimer?: NodeJS.Timeout;
  private sampling?: Promise<void>;
  private readonly clock: Clock;

  constructor(
    private readonly options: KubernetesRuntimeOptions,
    private readonly deps: KubernetesRuntimeDeps,
    client?: KubeClient,
  ) {
    this.client = client ?? new KubeClient(deps.kubeConfig);
    this.clock = deps.clock ?? new SystemClock();
  }

  async init(): Promise<void> {
    this.metricsTimer = setInterval(() => {
      this.sampling ??= this.sampleAll()
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'sampling tenant pod metrics failed'))
        .finally(() => (this.sampling = undefined));
    }, this.options.metricsIntervalMs);
    this.metricsTimer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.metricsTimer);
    await this.sampling;
  }

  async ensureInstance(spec: TenantSpec, db: TenantDatabaseInfo, onStep?: StepCallback): Promise<InstanceInfo> {
    try {
      assertTenantSlug(spec.slug);
      planResources(spec.plan);
    } catch (err) {
      throw new TenantRuntimeException((err as Error).message, 'invalid_spec');
    }
    const ns = tenantNamespace(spec.slug);
    const existing = await this.api(() => this.client.read<V1Namespace>(namespaceRef(ns)));
    if (existing?.metadata?.deletionTimestamp) {
      throw new TenantRuntimeException(`namespace ${ns} is still being deleted; retry when it is gone`, 'deleting');
    }
    const owner = existing?.metadata?.labels?.[LABEL_TENANT_ID];
    if (existing && owner !== spec.tenantId) {
      throw new TenantRuntimeException(`namespace ${ns} belongs to ${owner ? `tenant ${owner}` : 'something else'}`, 'invalid_spec');
    }
    // A volume can grow but never shrink: a downgrade keeps the size it has.
    const claim = existing ? await this.api(() => this.client.read<V1PersistentVolumeClaim>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: KubeNames.volumeClaim, namespace: ns })) : null;
    const planned = planResources(spec.plan).storage;
    const current = claim?.spec?.resources?.requests?.storage;
    const size = current && parseQuantity(current) > parseQuantity(planned) ? current : planned;

    const objects = renderTenantObjects(spec, db, this.options, size);
    const order = Object.values(objects);
    for (const [i, object] of order.entries()) {
      onStep?.(`kubernetes.apply.${object.kind!.toLowerCase()}`, Math.round(5 + (i * 55) / order.length));
      await this.api(() => this.client.apply(object));
    }
    await this.waitForRollout(ns, onStep);
    onStep?.('instance.ready', 100);
    return (await this.getInstance(spec.tenantId))!;
  }

  async stopInstance(tenantId: string): Promise<InstanceInfo> {
    const ns = await this.requireNamespace(tenantId);
    await this.api(() => this.client.update<V1Deployment>(deploymentRef(ns), (d) => (d.spec!.replicas = 0)));
    await this.waitForRollout(ns);
    return (await this.getInstance(tenantId))!;
  }

  async startInstance(tenantId: string, onStep?: StepCallback): Promise<InstanceInfo> {
    const ns = await this.requireNamespace(tenantId);
    await this.api(() =>
      this.client.update<V1Deployment>(deploymentRef(ns), (d) => (d.spec!.replicas = Number(d.metadata?.annotations?.[ANNOTATION_REPLICAS] ?? 1))),
    );
    await this.waitForRollout(ns, onStep);
    return (await this.getInstance(tenantId))!;
  }

  /** What `kubectl rollout restart` does: a new pod template annotation, so the Deployment replaces its pods. */
  async restartInstance(tenantId: string, onStep?: StepCallback): Promise<InstanceInfo> {
    const ns = await this.requireNamespace(tenantId);
    await this.api(() =>
      this.client.update<V1Deployment>(deploymentRef(ns), (d) => {
        const template = d.spec!.template;
        template.metadata ??= {};
        template.metadata.annotations = { ...template.metadata.annotations, [ANNOTATION_RESTARTED_AT]: this.clock.now().toISOString() };
      }),
    );
    await this.waitForRollout(ns, onStep);
    return (await this.getInstance(tenantId))!;
  }

  /** Deletes the namespace (which takes everything in it) and waits until it is gone. */
  async removeInstance(tenantId: string): Promise<void> {
    const namespace = await this.findNamespace(tenantId);
    if (!namespace) return;
    const ns = namespace.metadata!.name!;
    await this.api(() => this.client.delete(namespaceRef(ns)));
    const deadline = Date.now() + this.options.deleteTimeoutMs;
    while (await this.api(() => this.client.read<V1Namespace>(namespaceRef(ns)))) {
      if (Date.now() >= deadline) {
        throw new TenantRuntimeException(`namespace ${ns} is still terminating after ${this.options.deleteTimeoutMs} ms`, 'deleting');
      }
      await sleep(this.options.pollIntervalMs);
    }
    this.history.delete(tenantId);
  }

  /**
   * Archives the tenant's data volume (the app's files: Odoo's filestore, uploads) to `uploadUrl`, a
   * presigned PUT of the backup storage, by a Job in the tenant's namespace (renderVolumeJob), and
   * resolves with what it uploaded once the Job is Complete.
   */
  async archiveVolume(tenantId: string, uploadUrl: string, timeoutMs: number): Promise<VolumeArchive> {
    const { job, log } = await this.runVolumeJob(tenantId, 'volume-archive', uploadUrl, timeoutMs);
    const result = ARCHIVE_RESULT.exec(log);
    if (!result) throw new TenantRuntimeException(`volume archive job ${job} completed without saying what it uploaded`, 'api_error');
    return { job, size_bytes: Number(result[1]), sha256: result[2]! };
  }

  /**
   * Puts an archive back onto the tenant's data volume: a Job downloads it from `downloadUrl` (a
   * presigned GET), checks its sha256, empties the volume and unpacks it. The instance must be
   * stopped (a restore stops it first). Resolves once the Job is Complete.
   */
  async restoreVolume(tenantId: string, downloadUrl: string, sha256: string, timeoutMs: number): Promise<void> {
    await this.runVolumeJob(tenantId, 'volume-restore', downloadUrl, timeoutMs, sha256);
  }

  /**
   * Runs one volume Job and waits for it: its log once it is Complete; rejects with the Job's reason
   * and its last log line when it Failed, or when it did not finish within `timeoutMs` (then it is
   * deleted with its pod). The transfer URL's Secret is deleted either way.
   */
  private async runVolumeJob(tenantId: string, kind: VolumeJobKind, transferUrl: string, timeoutMs: number, sha256?: string): Promise<{ job: string; log: string }> {
    const namespace = await this.findNamespace(tenantId);
    if (!namespace) throw TenantRuntimeException.instanceNotFound(tenantId);
    if (namespace.metadata?.deletionTimestamp) throw new TenantRuntimeException(`instance of tenant ${tenantId} is being deleted`, 'deleting');
    const labels = namespace.metadata!.labels!;
    const spec = { tenantId, slug: labels[LABEL_TENANT_SLUG]!, plan: ((TENANT_PLANS as readonly string[]).includes(labels[LABEL_PLAN] ?? '') ? labels[LABEL_PLAN] : 'free') as TenantPlan };
    const ns = namespace.metadata!.name!;
    const name = `${kind}-${randomUUID().slice(0, 8)}`;
    const job: VolumeJob = { kind, name, secretName: `${name}-url`, deadlineSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)), ...(sha256 ? { sha256 } : {}) };
    const what = `${kind.replace('-', ' ')} job ${ns}/${name}`;
    const jobRef: ObjectRef = { apiVersion: 'batch/v1', kind: 'Job', name, namespace: ns };
    await this.api(() => this.client.apply(renderVolumeJobEgress(spec, this.options)));
    await this.api(() => this.client.apply(renderVolumeJobSecret(spec, job, transferUrl)));
    try {
      await this.api(() => this.client.apply(renderVolumeJob(spec, this.options, job)));
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await this.api(() => this.client.read<V1Job>(jobRef));
        if (!current) throw new TenantRuntimeException(`${what} disappeared`, 'api_error');
        const st = current.status ?? {};
        const condition = (type: string) => st.conditions?.find((c) => c.type === type && c.status === 'True');
        const failed = condition('Failed');
        if (condition('Complete') || (st.succeeded ?? 0) > 0) return { job: name, log: await this.jobLog(ns, name) };
        if (failed || (st.failed ?? 0) > 0) {
          const last = (await this.jobLog(ns, name)).trim().split('\n').at(-1);
          throw new TenantRuntimeException(`${what} failed: ${failed?.message ?? failed?.reason ?? 'its pod failed'}${last ? ` (${last})` : ''}`, 'unhealthy');
        }
        if (Date.now() >= deadline) {
          await this.api(() => this.client.delete(jobRef, 'Background'));
          throw new TenantRuntimeException(`${what} did not finish within ${timeoutMs} ms; deleted`, 'timeout');
        }
        await sleep(this.options.pollIntervalMs);
      }
    } finally {
      await this.api(() => this.client.delete({ apiVersion: 'v1', kind: 'Secret', name: job.secretName, namespace: ns })).catch((err: unknown) =>
        this.deps.logger.warn({ err, namespace: ns, secret: job.secretName }, 'could not delete a volume job’s transfer secret'),
      );
    }
  }

  /** The log of a Job's pod (the Job controller labels its pods `job-name`); '' while there is none. */
  private async jobLog(ns: string, job: string): Promise<string> {
    const [pod] = await this.api(() => this.client.list<V1Pod>('v1', 'Pod', ns, selector({ 'job-name': job })));
    if (!pod) return '';
    return this.api(() => this.client.podLog(ns, pod.metadata!.name!, { container: 'volume', limitBytes: 64 * 1024, timestamps: false })).catch(() => '');
  }

  async getInstance(tenantId: string): Promise<InstanceInfo | null> {
    const namespace = await this.findNamespace(tenantId);
    if (!namespace) return null;
    const ns = namespace.metadata!.name!;
    const labels = namespace.metadata?.labels ?? {};
    const slug = labels[LABEL_TENANT_SLUG]!;
    const plan = (TENANT_PLANS as readonly string[]).includes(labels[LABEL_PLAN] ?? '') ? (labels[LABEL_PLAN] as TenantPlan) : 'free';
    const deployment = namespace.metadata?.deletionTimestamp ? null : await this.api(() => this.client.read<V1Deployment>(deploymentRef(ns)));
    const pods = deployment ? await this.pods(ns, slug) : [];
    const running = pods.filter((p) => p.status?.phase === 'Running');
    const startTimes = running.map((p) => p.status?.startTime).filter((t): t is Date => Boolean(t)).map((t) => new Date(t).getTime());
    const { status, error } = this.statusOf(namespace, deployment, pods);
    return {
      tenant_id: tenantId,
      slug,
      runtime: 'kubernetes',
      status,
      plan,
      resources: planResources(plan),
      access_url: accessUrl(slug, this.options),
      version: deployment?.spec?.template.spec?.containers[0]?.image ?? this.options.image,
      endpoint: { kind: 'kubernetes', namespace: ns, deployment: KubeNames.deployment, service: KubeNames.service, ingress_host: ingressHost(slug, this.options) },
      started_at: startTimes.length ? new Date(Math.min(...startTimes)).toISOString() : null,
      restarts: pods.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m, c) => m + (c.restartCount ?? 0), 0), 0),
      error,
    };
  }

  async metrics(tenantId: string, range: MetricsRange): Promise<InstanceMetrics> {
    const namespace = await this.findNamespace(tenantId);
    if (!namespace) throw TenantRuntimeException.instanceNotFound(tenantId);
    await this.sampleNamespace(tenantId, namespace, await this.api(() => this.client.podMetrics(namespace.metadata!.name!)));
    const plan = planResources((namespace.metadata?.labels?.[LABEL_PLAN] as TenantPlan | undefined) ?? 'free');
    const history = this.history.get(tenantId)!;
    return {
      tenant_id: tenantId,
      runtime: 'kubernetes',
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      step_s: range.step_s,
      limits: { cpu_limit: plan.cpu_limit, memory_limit: plan.memory_limit, storage: plan.storage },
      current: history.latest(),
      series: history.series(range),
    };
  }

  async logs(tenantId: string, query: LogQuery): Promise<LogPage> {
    const namespace = await this.findNamespace(tenantId);
    if (!namespace) throw TenantRuntimeException.instanceNotFound(tenantId);
    const ns = namespace.metadata!.name!;
    const slug = namespace.metadata!.labels![LABEL_TENANT_SLUG]!;
    const sinceSeconds = query.from ? Math.max(1, Math.ceil((this.clock.now().getTime() - query.from.getTime()) / 1000)) : undefined;
    const entries: LogEntry[] = [];
    for (const pod of await this.pods(ns, slug)) {
      const name = pod.metadata!.name!;
      const text = await this.api(() =>
        this.client.podLog(ns, name, { container: 'app', limitBytes: this.options.logLimitBytes, ...(sinceSeconds ? { sinceSeconds } : {}) }),
      ).catch((err: unknown) => {
        // A pod still pulling its image or already gone has no log yet: not an error of the query.
        if (apiStatus((err as { cause?: unknown }).cause) === 400 || apiStatus((err as { cause?: unknown }).cause) === 404) return '';
        throw err;
      });
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        // `timestamps=true` prefixes each line with the time the kubelet received it. That time wins
        // over the app's own: it is what sinceSeconds filtered on, and every image writes it the same way.
        const space = line.indexOf(' ');
        const stamp = space > 0 ? new Date(line.slice(0, space)) : null;
        const received = stamp && !Number.isNaN(stamp.getTime()) ? stamp.toISOString() : null;
        const entry = parseLogLine(received ? line.slice(space + 1) : line, name, received);
        entries.push(received ? { ...entry, timestamp: received } : entry);
      }
    }
    return queryLogs(entries, query);
  }

  async resolveUpstream(slug: string): Promise<{ host: string; port: number } | null> {
    const ns = tenantNamespace(slug);
    const deployment = await this.api(() => this.client.read<V1Deployment>(deploymentRef(ns)));
    if (!deployment || !(deployment.status?.availableReplicas ?? 0)) return null;
    return { host: `${KubeNames.service}.${ns}.svc.cluster.local`, port: 80 };
  }

  // ---- internals ----

  /**
   * Until the Deployment's controller has seen the latest spec and every replica is updated and
   * available (what `kubectl rollout status` checks), reporting progress; a clear error on timeout
   * or when the controller itself gives up (ProgressDeadlineExceeded).
   */
  private async waitForRollout(ns: string, onStep?: StepCallback): Promise<void> {
    const deadline = Date.now() + this.options.rolloutTimeoutMs;
    for (;;) {
      const d = await this.api(() => this.client.read<V1Deployment>(deploymentRef(ns)));
      if (!d) throw new TenantRuntimeException(`deployment ${ns}/${KubeNames.deployment} disappeared during rollout`, 'api_error');
      const want = d.spec?.replicas ?? 1;
      const st = d.status ?? {};
      const observed = (st.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
      const updated = st.updatedReplicas ?? 0;
      const available = st.availableReplicas ?? 0;
      if (observed && updated === want && available === want && (st.replicas ?? 0) === want) return;
      const stuck = st.conditions?.find((c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded');
      if (stuck) throw new TenantRuntimeException(`rollout of ${ns}/${KubeNames.deployment} failed: ${stuck.message ?? stuck.reason}`, 'unhealthy');
      onStep?.('kubernetes.rollout', want === 0 ? 80 : Math.round(60 + (35 * Math.min(available, updated)) / want));
      if (Date.now() >= deadline) {
        throw new TenantRuntimeException(
          `rollout of ${ns}/${KubeNames.deployment} did not finish within ${this.options.rolloutTimeoutMs} ms ` +
            `(observed generation ${st.observedGeneration ?? 0}/${d.metadata?.generation ?? 0}, updated ${updated}/${want}, available ${available}/${want})`,
          'timeout',
        );
      }
      await sleep(this.options.pollIntervalMs);
    }
  }

  private statusOf(namespace: V1Namespace, deployment: V1Deployment | null, pods: V1Pod[]): { status: InstanceStatus; error: string | null } {
    if (namespace.metadata?.deletionTimestamp) return { status: 'deleting', error: null };
    if (!deployment) return { status: 'absent', error: null };
    const want = deployment.spec?.replicas ?? 1;
    const st = deployment.status ?? {};
    if (want === 0) return { status: 'stopped', error: null };
    const stuck = st.conditions?.find((c) => c.type === 'Progressing' && c.status === 'False');
    if (stuck) return { status: 'failed', error: stuck.message ?? stuck.reason ?? 'rollout stuck' };
    const waiting = pods.flatMap((p) => p.status?.containerStatuses ?? []).find((c) => c.state?.waiting?.reason && FAILING_REASONS.has(c.state.waiting.reason));
    if (waiting) return { status: 'failed', error: `${waiting.state!.waiting!.reason}: ${waiting.state!.waiting!.message ?? ''}`.trim() };
    const done = (st.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0) && st.updatedReplicas === want && st.availableReplicas === want;
    return { status: done ? 'running' : 'starting', error: null };
  }

  private async pods(ns: string, slug: string): Promise<V1Pod[]> {
    return this.api(() => this.client.list<V1Pod>('v1', 'Pod', ns, selector(podSelector(slug))));
  }

  private async findNamespace(tenantId: string): Promise<V1Namespace | null> {
    const found = await this.api(() =>
      this.client.list<V1Namespace>('v1', 'Namespace', undefined, selector({ [LABEL_MANAGED_BY]: FIELD_MANAGER, [LABEL_TENANT_ID]: tenantId })),
    );
    return found[0] ?? null;
  }

  private async requireNamespace(tenantId: string): Promise<string> {
    const namespace = await this.findNamespace(tenantId);
    if (!namespace) throw TenantRuntimeException.instanceNotFound(tenantId);
    if (namespace.metadata?.deletionTimestamp) throw new TenantRuntimeException(`instance of tenant ${tenantId} is being deleted`, 'deleting');
    return namespace.metadata!.name!;
  }

  /** One metrics.k8s.io call for the whole cluster per tick, filtered to our namespaces. */
  private async sampleAll(): Promise<void> {
    const namespaces = await this.api(() => this.client.list<V1Namespace>('v1', 'Namespace', undefined, selector({ [LABEL_MANAGED_BY]: FIELD_MANAGER })));
    if (!namespaces.length) return;
    const metrics = await this.api(() => this.client.podMetrics());
    for (const namespace of namespaces) {
      const tenantId = namespace.metadata?.labels?.[LABEL_TENANT_ID];
      if (tenantId && !namespace.metadata?.deletionTimestamp) await this.sampleNamespace(tenantId, namespace, metrics);
    }
  }

  private async sampleNamespace(tenantId: string, namespace: V1Namespace, metrics: Awaited<ReturnType<KubeClient['podMetrics']>>): Promise<void> {
    const ns = namespace.metadata!.name!;
    const containers = metrics.items.filter((p) => p.metadata.namespace === ns).flatMap((p) => p.containers);
    const cpu = containers.reduce((n, c) => n + parseQuantity(c.usage.cpu), 0);
    const memory = containers.reduce((n, c) => n + parseQuantity(c.usage.memory), 0);
    let storage: number | null = null;
    const dbRef = namespace.metadata?.annotations?.[ANNOTATION_DATABASE];
    if (this.deps.storage && dbRef) storage = await this.deps.storage.sizeBytes(JSON.parse(dbRef) as TenantDatabaseRef).catch(() => null);
    let history = this.history.get(tenantId);
    if (!history) this.history.set(tenantId, (history = new MetricsHistory(this.options.metricsSamples)));
    history.push({
      timestamp: this.clock.now().toISOString(),
      cpu_percent: containers.length ? Math.round(cpu * 100 * 100) / 100 : null,
      memory_bytes: containers.length ? Math.round(memory) : null,
      storage_bytes: storage,
      // metrics.k8s.io has no network counters; they need the kubelet's summary API or Prometheus.
      network_rx_bytes: null,
      network_tx_bytes: null,
    });
  }

  /** API failures that survived the client's retries become a retryable runtime error; not-found stays as it is. */
  private async api<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TenantRuntimeException) throw err;
      const status = apiStatus(err);
      if (status === 404) throw TenantRuntimeException.instanceNotFound('(namespace or deployment missing)');
      const body = (err as { body?: { message?: string } }).body;
      throw new TenantRuntimeException(`Kubernetes API call failed${status ? ` (${status})` : ''}: ${body?.message ?? (err as Error).message}`, 'api_error', { cause: err });
    }
  }
}
