import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Enough of the Kubernetes API server for the Kubernetes runtime's tests: discovery, CRUD on the
 * kinds a tenant uses, server-side apply (treated as a merge that creates), merge patches,
 * optimistic concurrency (resourceVersion → 409 Conflict), AlreadyExists/NotFound Status objects,
 * generation bumps on spec changes, a Deployment "controller" whose status catches up after a
 * delay and that synthesises pods, namespace deletion that cascades (after an optional
 * Terminating phase), a Job "controller" (one pod, then Complete or Failed as the test says), pod
 * logs and metrics.k8s.io. Faults can be injected per verb.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the fake stores objects of every kind as plain JSON
type Obj = Record<string, any>;

interface ResourceType {
  kind: string;
  plural: string;
  namespaced: boolean;
  groupVersion: string;
}

const RESOURCES: ResourceType[] = [
  { groupVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { groupVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { groupVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { groupVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { groupVersion: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true },
  { groupVersion: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true },
  { groupVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true },
  { groupVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { groupVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true },
  { groupVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true },
  { groupVersion: 'networking.k8s.io/v1', kind: 'Ingress', plural: 'ingresses', namespaced: true },
];

export interface Fault {
  method: string;
  status: number;
  /** Only requests whose path contains this. */
  pathIncludes?: string;
  times?: number;
}

export interface FakeKubeOptions {
  /** How long a Deployment's status takes to catch up with a new spec; Infinity = never. */
  rolloutDelayMs?: number;
  /** How long a deleted namespace stays Terminating before it and its objects go. */
  namespaceDeleteDelayMs?: number;
  /** How long a Job's pod runs before the Job ends. */
  jobDelayMs?: number;
  /** How a Job ends: its pod's log and outcome; null: it never ends. Default: succeeds, no log. */
  jobOutcome?: (job: Obj) => { succeeded: boolean; log: string[]; message?: string } | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
}

export interface FakePodLogLine {
  time: Date;
  text: string;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

function deepMerge(target: Obj, patch: Obj): Obj {
  const out: Obj = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' && out[k] !== null && !Array.isArray(out[k])) out[k] = deepMerge(out[k], v);
    else out[k] = structuredClone(v);
  }
  return out;
}

export class FakeKubeApiServer {
  readonly requests: RecordedRequest[] = [];
  /** Usage each synthesised pod reports in metrics.k8s.io. */
  podUsage = { cpu: '25000000n', memory: '131072Ki' };
  private readonly store = new Map<string, Obj>();
  private readonly podLogs = new Map<string, FakePodLogLine[]>();
  private readonly faults: Fault[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private resourceVersion = 1000;
  private server?: Server;
  url = '';

  constructor(public options: FakeKubeOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  injectFault(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  setPodLogs(namespace: string, lines: FakePodLogLine[]): void {
    this.podLogs.set(namespace, lines);
  }

  /** The log of one pod (else its namespace's). */
  setPodLog(namespace: string, pod: string, lines: FakePodLogLine[]): void {
    this.podLogs.set(`${namespace}/${pod}`, lines);
  }

  /** Every stored object of a kind (optionally in one namespace). */
  objects(kind?: string, namespace?: string): Obj[] {
    return [...this.store.values()].filter((o) => (!kind || o.kind === kind) && (!namespace || o.metadata.namespace === namespace));
  }

  get(kind: string, namespace: string | undefined, name: string): Obj | undefined {
    const type = RESOURCES.find((r) => r.kind === kind)!;
    return this.store.get(this.key(type, namespace, name));
  }

  /** Sets a condition as a stuck controller would (e.g. ProgressDeadlineExceeded). */
  patchStatus(kind: string, namespace: string, name: string, status: Obj): void {
    const obj = this.get(kind, namespace, name);
    if (obj) obj.status = deepMerge(obj.status ?? {}, status);
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query, contentType: req.headers['content-type'] });
    let body = '';
    for await (const chunk of req) body += chunk;
    try {
      const fault = this.faults.find((f) => f.method === method && (!f.pathIncludes || url.pathname.includes(f.pathIncludes)) && (f.times ?? 1) > 0);
      if (fault) {
        fault.times = (fault.times ?? 1) - 1;
        return this.status(res, fault.status, `injected fault ${fault.status}`);
      }
      await this.route(method, url.pathname, query, body ? (JSON.parse(body) as Obj) : undefined, req.headers['content-type'] ?? '', res);
    } catch (err) {
      this.status(res, 500, (err as Error).message);
    }
  }

  private async route(method: string, path: string, query: Record<string, string>, body: Obj | undefined, contentType: string, res: ServerResponse): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    // Discovery: /api/v1, /apis/<group>/<version>
    if ((parts[0] === 'api' && parts.length === 2) || (parts[0] === 'apis' && parts.length === 3)) {
      const gv = parts.slice(1).join('/');
      const resources = RESOURCES.filter((r) => r.groupVersion === gv).map((r) => ({
        name: r.plural,
        singularName: r.kind.toLowerCase(),
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
      }));
      if (!resources.length) return this.status(res, 404, `no group version ${gv}`);
      return this.json(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources });
    }
    if (parts[0] === 'apis' && parts[1] === 'metrics.k8s.io') return this.podMetrics(parts[4] === 'namespaces' ? parts[5] : undefined, res);

    const gvLength = parts[0] === 'api' ? 2 : 3;
    const groupVersion = parts.slice(1, gvLength).join('/');
    let rest = parts.slice(gvLength);
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, sub] = rest;
    const type = RESOURCES.find((r) => r.groupVersion === groupVersion && r.plural === plural);
    if (!type) return this.status(res, 404, `the server could not find the requested resource (${path})`);
    if (sub === 'log' && type.kind === 'Pod') return this.podLog(namespace!, name!, query, res);

    if (!name) {
      if (method === 'GET') return this.json(res, 200, this.list(type, namespace, query.labelSelector));
      if (method === 'POST') return this.create(type, namespace, body!, res);
      return this.status(res, 405, 'method not allowed');
    }
    const key = this.key(type, namespace, name);
    const existing = this.store.get(key);
    switch (method) {
      case 'GET':
        return existing ? this.json(res, 200, existing) : this.notFound(res, type, name);
      case 'PUT': {
        if (!existing) return this.notFound(res, type, name);
        if (body?.metadata?.resourceVersion !== existing.metadata.resourceVersion) {
          return this.status(res, 409, `Operation cannot be fulfilled on ${type.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: type.plural });
        }
        return this.json(res, 200, this.write(type, key, existing, body!));
      }
      case 'PATCH': {
        if (contentType.startsWith('application/apply-patch')) {
          if (!query.fieldManager) return this.status(res, 400, 'fieldManager is required for apply requests');
          if (!existing) return this.create(type, namespace, body!, res, 201);
          return this.json(res, 200, this.write(type, key, existing, deepMerge(existing, body!)));
        }
        if (!existing) return this.notFound(res, type, name);
        return this.json(res, 200, this.write(type, key, existing, deepMerge(existing, body!)));
      }
      case 'DELETE':
        if (!existing) return this.notFound(res, type, name);
        if (type.kind === 'Namespace') return this.json(res, 200, this.deleteNamespace(key, existing));
        this.store.delete(key);
        return this.json(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: type.plural } });
      default:
        return this.status(res, 405, 'method not allowed');
    }
  }

  // ---- objects ----

  private key(type: ResourceType, namespace: string | undefined, name: string): string {
    return `${type.groupVersion}|${type.plural}|${type.namespaced ? namespace : ''}|${name}`;
  }

  private list(type: ResourceType, namespace: string | undefined, labelSelector?: string): Obj {
    const wanted = (labelSelector ?? '')
      .split(',')
      .filter(Boolean)
      .map((s) => s.split('='));
    const items = [...this.store.values()].filter(
      (o) =>
        o.kind === type.kind &&
        (!type.namespaced || !namespace || o.metadata.namespace === namespace) &&
        wanted.every(([k, v]) => o.metadata.labels?.[k!] === v),
    );
    return { kind: `${type.kind}List`, apiVersion: type.groupVersion, metadata: { resourceVersion: String(this.resourceVersion) }, items };
  }

  private create(type: ResourceType, namespace: string | undefined, body: Obj, res: ServerResponse, code = 201): void {
    const name = body.metadata?.name;
    if (!name) return this.status(res, 422, 'metadata.name is required');
    if (type.namespaced) {
      const ns = this.store.get(this.key(RESOURCES[0]!, undefined, namespace!));
      if (!ns) return this.status(res, 404, `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
      if (ns.metadata.deletionTimestamp) {
        return this.status(res, 403, `${type.plural} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
      }
    }
    const key = this.key(type, namespace, name);
    if (this.store.has(key)) return this.status(res, 409, `${type.plural} "${name}" already exists`, { name, kind: type.plural }, 'AlreadyExists');
    const obj = this.write(type, key, undefined, { ...body, metadata: { ...body.metadata, ...(type.namespaced ? { namespace } : {}) } });
    this.json(res, code, obj);
  }

  /** Server-assigned fields, generation on spec change, Secret stringData folded into data, controllers. */
  private write(type: ResourceType, key: string, existing: Obj | undefined, incoming: Obj): Obj {
    const obj = structuredClone(incoming);
    obj.apiVersion = type.groupVersion;
    obj.kind = type.kind;
    obj.metadata = {
      ...obj.metadata,
      uid: existing?.metadata.uid ?? randomUUID(),
      creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString(),
      resourceVersion: String(++this.resourceVersion),
    };
    if (existing?.metadata.deletionTimestamp) obj.metadata.deletionTimestamp = existing.metadata.deletionTimestamp;
    if ('spec' in obj || type.kind === 'Deployment') {
      const changed = !existing || JSON.stringify(existing.spec) !== JSON.stringify(obj.spec);
      obj.metadata.generation = (existing?.metadata.generation ?? 0) + (changed ? 1 : 0);
    }
    if (type.kind === 'Secret' && obj.stringData) {
      obj.data = { ...obj.data };
      for (const [k, v] of Object.entries(obj.stringData as Record<string, string>)) obj.data[k] = Buffer.from(v).toString('base64');
      delete obj.stringData;
    }
    if (type.kind === 'Namespace') obj.status = existing?.status ?? { phase: 'Active' };
    if (type.kind === 'Deployment') obj.status = existing?.status ?? {};
    if (type.kind === 'Job') obj.status = existing?.status ?? {};
    this.store.set(key, obj);
    if (type.kind === 'Deployment' && obj.metadata.generation !== existing?.metadata.generation) this.scheduleRollout(key);
    if (type.kind === 'Job' && !existing) this.scheduleJob(key);
    return obj;
  }

  /** The Job controller, compressed: one pod (labelled job-name) runs, then the Job is Complete or Failed. */
  private scheduleJob(key: string): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const job = this.store.get(key);
      if (!job) return;
      const outcome = this.options.jobOutcome ? this.options.jobOutcome(job) : { succeeded: true, log: [] };
      const ns = job.metadata.namespace;
      const podType = RESOURCES.find((r) => r.kind === 'Pod')!;
      const name = `${job.metadata.name}-${randomUUID().slice(0, 5)}`;
      const now = new Date();
      const phase = outcome === null ? 'Running' : outcome.succeeded ? 'Succeeded' : 'Failed';
      this.store.set(this.key(podType, ns, name), {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: ns,
          uid: randomUUID(),
          labels: { ...(job.spec.template.metadata?.labels ?? {}), 'job-name': job.metadata.name, 'batch.kubernetes.io/job-name': job.metadata.name },
          creationTimestamp: now.toISOString(),
          resourceVersion: String(++this.resourceVersion),
          ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid }],
        },
        spec: structuredClone(job.spec.template.spec),
        status: { phase, startTime: now.toISOString() },
      });
      job.status = { startTime: now.toISOString(), active: 1 };
      if (outcome === null) return;
      this.podLogs.set(`${ns}/${name}`, outcome.log.map((text) => ({ time: now, text })));
      job.status = outcome.succeeded
        ? { startTime: now.toISOString(), completionTime: new Date().toISOString(), succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }
        : { startTime: now.toISOString(), failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: outcome.message ?? 'Job has reached the specified backoff limit' }] };
      job.metadata.resourceVersion = String(++this.resourceVersion);
    }, this.options.jobDelayMs ?? 0);
    this.timers.add(timer);
  }

  /** The Deployment controller, compressed: after the delay the status says "all replicas updated and available" and pods exist. */
  private scheduleRollout(key: string): void {
    const delay = this.options.rolloutDelayMs ?? 0;
    if (!Number.isFinite(delay)) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const d = this.store.get(key);
      if (!d) return;
      const replicas = d.spec?.replicas ?? 1;
      d.status = {
        observedGeneration: d.metadata.generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        conditions: [
          { type: 'Available', status: replicas > 0 ? 'True' : 'False', reason: 'MinimumReplicasAvailable' },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
        ],
      };
      if (!replicas) {
        // A scaled-to-zero Deployment's status omits the replica counts, as the real controller's does.
        for (const field of ['updatedReplicas', 'readyReplicas', 'availableReplicas']) delete d.status[field];
      }
      d.metadata.resourceVersion = String(++this.resourceVersion);
      this.syncPods(d);
    }, delay);
    this.timers.add(timer);
  }

  private syncPods(d: Obj): void {
    const ns = d.metadata.namespace;
    const podType = RESOURCES.find((r) => r.kind === 'Pod')!;
    for (const pod of this.objects('Pod', ns)) {
      if (pod.metadata.ownerReferences?.[0]?.uid === d.metadata.uid) this.store.delete(this.key(podType, ns, pod.metadata.name));
    }
    const hash = createHash('sha256').update(JSON.stringify(d.spec.template)).digest('hex').slice(0, 10);
    const now = new Date().toISOString();
    for (let i = 0; i < (d.spec?.replicas ?? 1); i++) {
      const name = `${d.metadata.name}-${hash}-${i}`;
      this.store.set(this.key(podType, ns, name), {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: ns,
          uid: randomUUID(),
          labels: d.spec.template.metadata?.labels ?? {},
          creationTimestamp: now,
          resourceVersion: String(++this.resourceVersion),
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid }],
        },
        spec: { containers: d.spec.template.spec.containers },
        status: {
          phase: 'Running',
          startTime: now,
          containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: d.spec.template.spec.containers[0].image, imageID: '', state: { running: { startedAt: now } } }],
        },
      });
    }
  }

  private deleteNamespace(key: string, ns: Obj): Obj {
    if (!ns.metadata.deletionTimestamp) {
      ns.metadata.deletionTimestamp = new Date().toISOString();
      ns.status = { phase: 'Terminating' };
      ns.metadata.resourceVersion = String(++this.resourceVersion);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        for (const [k, o] of this.store) if (o.metadata.namespace === ns.metadata.name) this.store.delete(k);
        this.store.delete(key);
      }, this.options.namespaceDeleteDelayMs ?? 0);
      this.timers.add(timer);
    }
    return ns;
  }

  // ---- logs and metrics ----

  private podLog(namespace: string, name: string, query: Record<string, string>, res: ServerResponse): void {
    const podType = RESOURCES.find((r) => r.kind === 'Pod')!;
    if (!this.store.has(this.key(podType, namespace, name))) return this.notFound(res, podType, name);
    const since = query.sinceSeconds ? Date.now() - Number(query.sinceSeconds) * 1000 : 0;
    let text = (this.podLogs.get(`${namespace}/${name}`) ?? this.podLogs.get(namespace) ?? [])
      .filter((l) => l.time.getTime() >= since)
      .map((l) => (query.timestamps === 'true' ? `${l.time.toISOString()} ${l.text}` : l.text))
      .join('\n');
    if (text) text += '\n';
    if (query.limitBytes) text = text.slice(0, Number(query.limitBytes));
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(text);
  }

  private podMetrics(namespace: string | undefined, res: ServerResponse): void {
    const items = this.objects('Pod', namespace).map((p) => ({
      metadata: { name: p.metadata.name, namespace: p.metadata.namespace, creationTimestamp: new Date().toISOString(), labels: p.metadata.labels },
      timestamp: new Date().toISOString(),
      window: '30s',
      containers: [{ name: 'app', usage: { ...this.podUsage } }],
    }));
    this.json(res, 200, { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
  }

  // ---- responses ----

  private json(res: ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private notFound(res: ServerResponse, type: ResourceType, name: string): void {
    this.status(res, 404, `${type.plural} "${name}" not found`, { name, kind: type.plural });
  }

  private status(res: ServerResponse, code: number, message: string, details?: Obj, reason = REASONS[code] ?? 'Unknown'): void {
    this.json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
  }
}
