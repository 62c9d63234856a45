import {
  CoreV1Api,
  KubernetesObjectApi,
  Metrics,
  PatchStrategy,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type PodMetricsList,
} from '@kubernetes/client-node';
import { backoffDelay } from '@saas/errors';
import { FIELD_MANAGER } from './kube-names.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** HTTP status of a failed API call (client-node's ApiException carries it as `code`); undefined for network errors. */
export function apiStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

const TRANSIENT = new Set([409, 429, 500, 502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The few verbs the runtime needs, over @kubernetes/client-node, with the API's concurrency rules
 * built in: server-side apply (field manager `saas-control-plane`, forced) for create-or-update;
 * read-modify-replace with resourceVersion, re-read on 409 Conflict, for targeted changes (scale,
 * restart); retries with backoff on 429/5xx and connection errors.
 */
export class KubeClient {
  private readonly objects: KubernetesObjectApi;
  private readonly core: CoreV1Api;
  private readonly metricsApi: Metrics;

  constructor(
    kubeConfig: KubeConfig,
    private readonly retry = { attempts: 5, baseDelayMs: 200 },
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.metricsApi = new Metrics(kubeConfig);
  }

  async apply<T extends KubernetesObject>(object: T): Promise<T> {
    // The client fills in defaults on the object it sends: hand it a copy.
    return this.withRetry(() => this.objects.patch(structuredClone(object), undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
  }

  async read<T extends KubernetesObject>(ref: ObjectRef): Promise<T | null> {
    try {
      return await this.withRetry(() => this.objects.read<T>(header(ref)), (s) => s !== 409);
    } catch (err) {
      if (apiStatus(err) === 404) return null;
      throw err;
    }
  }

  /** False when there was nothing to delete. `Background`: its dependents (a Job's pods) go too. */
  async delete(ref: ObjectRef, propagationPolicy?: 'Background' | 'Foreground'): Promise<boolean> {
    try {
      await this.withRetry(() => this.objects.delete(header(ref), undefined, undefined, undefined, undefined, propagationPolicy), (s) => s !== 409);
      return true;
    } catch (err) {
      if (apiStatus(err) === 404) return false;
      throw err;
    }
  }

  /** Optimistic concurrency: the replace carries the resourceVersion read; a 409 means someone wrote in between, so re-read and redo. */
  async update<T extends KubernetesObject>(ref: ObjectRef, mutate: (object: T) => void): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read<T>(ref);
      if (!current) throw Object.assign(new Error(`${ref.kind} ${ref.namespace ?? ''}/${ref.name} not found`), { code: 404 });
      mutate(current);
      try {
        return await this.withRetry(() => this.objects.replace(current, undefined, undefined, FIELD_MANAGER), (s) => s !== 409);
      } catch (err) {
        if (apiStatus(err) !== 409 || attempt >= this.retry.attempts) throw err;
      }
    }
  }

  async list<T extends KubernetesObject>(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<T[]> {
    const result: KubernetesListObject<T> = await this.withRetry(() =>
      this.objects.list<T>(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector),
    );
    return result.items;
  }

  async podLog(namespace: string, pod: string, opts: { container: string; sinceSeconds?: number; limitBytes: number; timestamps?: boolean }): Promise<string> {
    return this.withRetry(() =>
      this.core.readNamespacedPodLog({
        name: pod,
        namespace,
        container: opts.container,
        timestamps: opts.timestamps ?? true,
        limitBytes: opts.limitBytes,
        ...(opts.sinceSeconds ? { sinceSeconds: opts.sinceSeconds } : {}),
      }),
    );
  }

  /** metrics.k8s.io pod metrics; all namespaces when none is given. */
  async podMetrics(namespace?: string): Promise<PodMetricsList> {
    return this.withRetry(() => this.metricsApi.getPodMetrics(namespace));
  }

  private async withRetry<T>(fn: () => Promise<T>, retryable: (status: number) => boolean = () => true): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const status = apiStatus(err);
        const transient = status === undefined ? isConnectionError(err) : TRANSIENT.has(status) && retryable(status);
        if (!transient || attempt >= this.retry.attempts) throw err;
        // The platform's one backoff: doubling from baseDelayMs, jittered over its upper half.
        await sleep(backoffDelay(attempt, this.retry.baseDelayMs, Number.MAX_SAFE_INTEGER));
      }
    }
  }
}

function header(ref: ObjectRef) {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
}

function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown; type?: unknown; name?: unknown };
  return e?.name === 'FetchError' || e?.type === 'system' || (typeof e?.code === 'string' && /^E(CONNRESET|CONNREFUSED|PIPE|TIMEDOUT|AI_AGAIN)$/.test(e.code));
}
