import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
// eslint-disable-next-line no-restricted-imports -- the npm package kubernetes-models, not an app of this repository
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { LimitRange, Namespace, PersistentVolumeClaim, ResourceQuota, Secret, Service } from 'kubernetes-models/v1';
import { pino } from 'pino';
import { FakeKubeApiServer } from '../../../test/fake-kube-api-server.js';
import type { TenantDatabaseInfo } from '../../tenant-database/tenant-database.types.js';
import { TenantRuntimeException } from '../runtime.exception.js';
import type { TenantSpec } from '../tenant-runtime.js';
import { KubernetesRuntime, type KubernetesRuntimeOptions } from './kubernetes-runtime.js';

const VALIDATORS: Record<string, new (data: any) => { validate(): void }> = {
  Namespace,
  ResourceQuota,
  LimitRange,
  NetworkPolicy,
  Secret,
  PersistentVolumeClaim,
  Deployment,
  Service,
  Ingress,
};

function tenant(label: string, plan: TenantSpec['plan'] = 'standard'): { spec: TenantSpec; db: TenantDatabaseInfo } {
  const slug = `k8s-${label}`;
  const role = `tenant_k8s_${label.replace(/-/g, '_')}`;
  return {
    spec: { tenantId: randomUUID(), slug, name: `Kube ${label}`, plan, databaseStrategy: 'dedicated', adminEmail: 'owner@example.com', adminPassword: 's3cret-admin' },
    db: { strategy: 'dedicated', host: '10.20.0.5', port: 5432, database: role, schema: role, role, password: 'pw-1', url: `postgres://${role}:pw-1@10.20.0.5:5432/${role}` },
  };
}

describe('KubernetesRuntime against a fake API server', () => {
  const fake = new FakeKubeApiServer({ rolloutDelayMs: 20, namespaceDeleteDelayMs: 50 });
  const storage = { sizeBytes: async () => 4242 };
  let kubeConfig: KubeConfig;
  const options: KubernetesRuntimeOptions = {
    image: 'odoo:17',
    flavor: 'odoo',
    port: 8069,
    healthPath: '/web/health',
    baseDomain: 'tenants.test',
    ingressClass: 'nginx',
    ingressNamespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
    databaseCidr: '10.20.0.5/32',
    rolloutTimeoutMs: 5_000,
    deleteTimeoutMs: 5_000,
    pollIntervalMs: 20,
    metricsIntervalMs: 60_000,
    metricsSamples: 10,
    logLimitBytes: 1024 * 1024,
  };
  const runtimeWith = (overrides: Partial<KubernetesRuntimeOptions> = {}) =>
    new KubernetesRuntime({ ...options, ...overrides }, { kubeConfig, logger: pino({ level: 'silent' }), storage });

  beforeAll(async () => {
    await fake.start();
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'fake', server: fake.url, skipTLSVerify: true }],
      users: [{ name: 'test', token: 'test-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'test', namespace: 'default' }],
      currentContext: 'fake',
    });
  });

  afterAll(async () => {
    await fake.stop();
  });

  afterEach(() => {
    fake.options.rolloutDelayMs = 20;
    fake.options.namespaceDeleteDelayMs = 50;
    fake.options.jobDelayMs = 0;
    delete fake.options.jobOutcome;
  });

  it('creates one of everything, valid against the Kubernetes schemas, and re-running changes nothing', async () => {
    const { spec, db } = tenant('one');
    const runtime = runtimeWith();
    const info = await runtime.ensureInstance(spec, db);
    expect(info).toMatchObject({
      runtime: 'kubernetes',
      status: 'running',
      plan: 'standard',
      version: 'odoo:17',
      access_url: 'http://k8s-one.tenants.test',
      endpoint: { kind: 'kubernetes', namespace: 'tenant-k8s-one', deployment: 'app', service: 'app', ingress_host: 'k8s-one.tenants.test' },
      restarts: 0,
    });
    const ns = 'tenant-k8s-one';
    const stored = [fake.get('Namespace', undefined, ns)!, ...fake.objects(undefined, ns).filter((o) => o.kind !== 'Pod')];
    expect(stored.map((o) => o.kind).sort()).toEqual(Object.keys(VALIDATORS).sort());
    for (const obj of stored) expect(() => new VALIDATORS[obj.kind]!(obj).validate()).not.toThrow();

    const applies = fake.requests.filter((r) => r.method === 'PATCH');
    expect(applies).toHaveLength(9);
    for (const r of applies) {
      expect(r.contentType).toBe('application/apply-patch+yaml');
      expect(r.query).toMatchObject({ fieldManager: 'saas-control-plane', force: 'true' });
    }

    const uids = stored.map((o) => o.metadata.uid);
    const generation = fake.get('Deployment', ns, 'app')!.metadata.generation;
    const again = await runtime.ensureInstance(spec, db);
    expect(again.status).toBe('running');
    const after = [fake.get('Namespace', undefined, ns)!, ...fake.objects(undefined, ns).filter((o) => o.kind !== 'Pod')];
    expect(after.map((o) => o.metadata.uid)).toEqual(uids);
    expect(fake.get('Deployment', ns, 'app')!.metadata.generation).toBe(generation);
    expect(fake.objects('Pod', ns)).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('renders the plan and the isolation into what it applies', async () => {
    const ns = 'tenant-k8s-one';
    const quota = fake.get('ResourceQuota', ns, 'tenant-quota')!;
    expect(quota.spec.hard).toMatchObject({ pods: '4', 'requests.cpu': '2000m', 'limits.memory': '8192Mi', 'requests.storage': '20Gi' });
    const limits = fake.get('LimitRange', ns, 'tenant-limits')!;
    expect(limits.spec.limits[0]).toMatchObject({ type: 'Container', default: { cpu: '2', memory: '2Gi' }, defaultRequest: { cpu: '500m', memory: '1Gi' } });
    const policy = fake.get('NetworkPolicy', ns, 'tenant-isolation')!;
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }, { podSelector: {} }]);
    expect(policy.spec.egress[1]).toEqual({ to: [{ ipBlock: { cidr: '10.20.0.5/32' } }], ports: [{ protocol: 'TCP', port: 5432 }] });
    const secret = fake.get('Secret', ns, 'app-env')!;
    expect(Buffer.from(secret.data.PASSWORD, 'base64').toString()).toBe('pw-1');
    expect(Buffer.from(secret.data.ADMIN_PASSWORD, 'base64').toString()).toBe('s3cret-admin');
    const pod = fake.get('Deployment', ns, 'app')!.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 101, fsGroup: 101, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0]).toMatchObject({
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
      envFrom: [{ secretRef: { name: 'app-env' } }],
      readinessProbe: { httpGet: { path: '/web/health', port: 'http' } },
    });
    expect(JSON.stringify(pod)).not.toContain('pw-1');
    expect(fake.get('Ingress', ns, 'app')!.spec).toMatchObject({ ingressClassName: 'nginx', rules: [{ host: 'k8s-one.tenants.test' }] });
  });

  it('retries a 409 Conflict on update and a 500 on apply', async () => {
    const { spec, db } = tenant('flaky');
    const runtime = runtimeWith();
    fake.injectFault({ method: 'PATCH', status: 500, pathIncludes: '/deployments/' });
    await runtime.ensureInstance(spec, db);
    const before = fake.requests.length;
    fake.injectFault({ method: 'PUT', status: 409 });
    const stopped = await runtime.stopInstance(spec.tenantId);
    expect(stopped.status).toBe('stopped');
    expect(fake.requests.slice(before).filter((r) => r.method === 'PUT')).toHaveLength(2);
    expect(fake.get('Deployment', 'tenant-k8s-flaky', 'app')!.spec.replicas).toBe(0);
  });

  it('stops (0 replicas, no pods), starts (plan replicas) and restarts (new pod template annotation)', async () => {
    const { spec, db } = tenant('cycle');
    const runtime = runtimeWith();
    await runtime.ensureInstance(spec, db);
    const ns = 'tenant-k8s-cycle';
    expect(await runtime.resolveUpstream(spec.slug)).toEqual({ host: 'app.tenant-k8s-cycle.svc.cluster.local', port: 80 });

    await runtime.stopInstance(spec.tenantId);
    expect(fake.get('Deployment', ns, 'app')!.spec.replicas).toBe(0);
    expect(fake.objects('Pod', ns)).toHaveLength(0);
    expect((await runtime.getInstance(spec.tenantId))!.status).toBe('stopped');
    expect(await runtime.resolveUpstream(spec.slug)).toBeNull();

    const started = await runtime.startInstance(spec.tenantId);
    expect(started.status).toBe('running');
    expect(fake.get('Deployment', ns, 'app')!.spec.replicas).toBe(1);
    const podBefore = fake.objects('Pod', ns)[0]!.metadata.name;

    const generation = fake.get('Deployment', ns, 'app')!.metadata.generation;
    const restarted = await runtime.restartInstance(spec.tenantId);
    expect(restarted.status).toBe('running');
    const deployment = fake.get('Deployment', ns, 'app')!;
    expect(Date.parse(deployment.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'])).toBeGreaterThan(Date.now() - 10_000);
    expect(deployment.metadata.generation).toBe(generation + 1);
    expect(fake.objects('Pod', ns)[0]!.metadata.name).not.toBe(podBefore);

    // Re-applying the spec afterwards does not undo the restart annotation or roll again.
    await runtime.ensureInstance(spec, db);
    expect(fake.get('Deployment', ns, 'app')!.metadata.generation).toBe(generation + 1);
  });

  it('waits for a slow rollout, reporting progress', async () => {
    fake.options.rolloutDelayMs = 400;
    const { spec, db } = tenant('slow');
    const steps: Array<[string, number]> = [];
    const started = Date.now();
    await runtimeWith().ensureInstance(spec, db, (step, progress) => steps.push([step, progress]));
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    const rollout = steps.filter(([s]) => s === 'kubernetes.rollout');
    expect(rollout.length).toBeGreaterThan(3);
    expect(steps.map(([s]) => s)).toContain('kubernetes.apply.deployment');
    expect(steps.at(-1)).toEqual(['instance.ready', 100]);
    const progress = steps.map(([, p]) => p);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('times out a rollout that never finishes with a clear, retryable error', async () => {
    fake.options.rolloutDelayMs = Infinity;
    const { spec, db } = tenant('stuck');
    const err = await runtimeWith({ rolloutTimeoutMs: 300 }).ensureInstance(spec, db).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TenantRuntimeException);
    expect((err as TenantRuntimeException).reason).toBe('timeout');
    expect((err as TenantRuntimeException).retryable).toBe(true);
    expect((err as Error).message).toMatch(/rollout of tenant-k8s-stuck\/app did not finish within 300 ms \(observed generation 0\/1, updated 0\/1, available 0\/1\)/);
  });

  it('fails fast when the Deployment controller reports ProgressDeadlineExceeded', async () => {
    fake.options.rolloutDelayMs = Infinity;
    const { spec, db } = tenant('deadline');
    const runtime = runtimeWith();
    const pending = runtime.ensureInstance(spec, db).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 150));
    fake.patchStatus('Deployment', 'tenant-k8s-deadline', 'app', {
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "app-x" has timed out progressing.' }],
    });
    const err = (await pending) as TenantRuntimeException;
    expect(err.reason).toBe('unhealthy');
    expect(err.message).toMatch(/timed out progressing/);
    expect((await runtime.getInstance(spec.tenantId))!).toMatchObject({ status: 'failed', error: expect.stringMatching(/timed out/) });
  });

  it('aggregates pod metrics from metrics.k8s.io', async () => {
    const { spec, db } = tenant('metrics');
    const runtime = runtimeWith();
    await runtime.ensureInstance(spec, db);
    fake.podUsage = { cpu: '250m', memory: '256Mi' };
    const now = new Date();
    const m = await runtime.metrics(spec.tenantId, { from: new Date(now.getTime() - 60_000), to: new Date(now.getTime() + 1_000), step_s: 60 });
    expect(m.current).toMatchObject({ cpu_percent: 25, memory_bytes: 256 * 2 ** 20, storage_bytes: 4242, network_rx_bytes: null });
    expect(m.series).toHaveLength(1);
    expect(m.limits).toEqual({ cpu_limit: '2', memory_limit: '2Gi', storage: '20Gi' });
    expect(fake.requests.some((r) => r.path === '/apis/metrics.k8s.io/v1beta1/namespaces/tenant-k8s-metrics/pods')).toBe(true);
  });

  it('reads, parses, filters and pages pod logs', async () => {
    const { spec, db } = tenant('logs');
    const runtime = runtimeWith();
    await runtime.ensureInstance(spec, db);
    const t = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000);
    fake.setPodLogs('tenant-k8s-logs', [
      { time: t(7200), text: '{"level":"error","time":"2020-01-01T00:00:00Z","msg":"ancient failure"}' },
      { time: t(30), text: '2024-05-01 10:00:00,123 7 INFO k8s odoo.modules.loading: modules loaded' },
      { time: t(20), text: '2024-05-01 10:00:01,000 7 WARNING k8s odoo.http: slow request' },
      { time: t(10), text: '{"level":"error","time":"2024-05-01T10:00:02.000Z","msg":"boom","code":42}' },
      { time: t(5), text: 'plain line from a script' },
    ]);
    const all = await runtime.logs(spec.tenantId, { page: 1, page_size: 10, from: t(3600) });
    expect(all.count).toBe(4);
    // Newest first, stamped with the kubelet's receive time.
    expect(all.results.map((e) => e.level)).toEqual(['info', 'error', 'warn', 'info']);
    expect(all.results[0]).toMatchObject({ message: 'plain line from a script', level: 'info' });
    expect(all.results[1]).toMatchObject({ message: 'boom', fields: { code: 42 }, source: expect.stringMatching(/^app-/) });
    expect(Date.parse(all.results[1]!.timestamp!)).toBeGreaterThan(Date.now() - 60_000);
    const warnings = await runtime.logs(spec.tenantId, { level: 'warn', page: 1, page_size: 1 });
    expect(warnings.count).toBe(3);
    expect(warnings.results).toHaveLength(1);
    expect((await runtime.logs(spec.tenantId, { search: 'SLOW', page: 1, page_size: 10 })).results[0]!.message).toMatch(/slow request/);
    const query = fake.requests.find((r) => r.path.endsWith('/log'))!.query;
    expect(query).toMatchObject({ timestamps: 'true', container: 'app' });
  });

  it('removes the namespace and waits until it is gone; removing again or something absent is fine', async () => {
    fake.options.namespaceDeleteDelayMs = 300;
    const { spec, db } = tenant('gone');
    const runtime = runtimeWith();
    await runtime.ensureInstance(spec, db);
    const started = Date.now();
    await runtime.removeInstance(spec.tenantId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(fake.get('Namespace', undefined, 'tenant-k8s-gone')).toBeUndefined();
    expect(fake.objects(undefined, 'tenant-k8s-gone')).toHaveLength(0);
    expect(await runtime.getInstance(spec.tenantId)).toBeNull();
    await runtime.removeInstance(spec.tenantId);
    await runtime.removeInstance(randomUUID());
  });

  it('reports a namespace still terminating as deleting, and refuses to provision into it until it is gone', async () => {
    fake.options.namespaceDeleteDelayMs = 600;
    const { spec, db } = tenant('slowdelete');
    const runtime = runtimeWith({ deleteTimeoutMs: 100 });
    await runtime.ensureInstance(spec, db);
    await expect(runtime.removeInstance(spec.tenantId)).rejects.toMatchObject({ reason: 'deleting' });
    expect((await runtime.getInstance(spec.tenantId))!.status).toBe('deleting');
    await expect(runtime.ensureInstance(spec, db)).rejects.toMatchObject({ reason: 'deleting' });
    await runtimeWith().removeInstance(spec.tenantId);
    expect(await runtime.getInstance(spec.tenantId)).toBeNull();
  });

  it('answers not found for a tenant it does not run', async () => {
    const runtime = runtimeWith();
    await expect(runtime.stopInstance(randomUUID())).rejects.toMatchObject({ code: 'INSTANCE_NOT_FOUND', status: 404 });
    expect(await runtime.getInstance(randomUUID())).toBeNull();
  });

  describe('volume Jobs', () => {
    const SHA = 'ab'.repeat(32);
    const UPLOAD = 'https://storage.example.com/backups/t/b/files.tar?X-Amz-Signature=s3cr3t';

    it('archives the tenant’s volume by a Job with a valid, locked-down manifest, and reports what it uploaded once it completed', async () => {
      const { spec, db } = tenant('vol');
      const runtime = runtimeWith({ archiveImage: 'registry.example.com/archiver:1' });
      await runtime.ensureInstance(spec, db);
      const ns = 'tenant-k8s-vol';
      let seen: Record<string, any> | undefined;
      let secretWhileRunning: Record<string, any> | undefined;
      fake.options.jobDelayMs = 60;
      fake.options.jobOutcome = (job) => {
        seen = structuredClone(job);
        secretWhileRunning = fake.get('Secret', ns, job.spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name);
        return { succeeded: true, log: ['tar: removing leading /', `volume-archive size=123456 sha256=${SHA}`] };
      };
      const result = await runtime.archiveVolume(spec.tenantId, UPLOAD, 5_000);
      expect(result).toEqual({ job: expect.stringMatching(/^volume-archive-[0-9a-f]{8}$/), size_bytes: 123456, sha256: SHA });

      // The Job as it was created: valid, one attempt, bounded, the claim read-only, the URL from a Secret only.
      const job = seen!;
      expect(job.metadata).toMatchObject({ name: result.job, namespace: ns, labels: { 'saas-control-plane/tenant-id': spec.tenantId, 'saas-control-plane/job': 'volume-archive' } });
      expect(() => new Job(job as never).validate()).not.toThrow();
      expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 5, ttlSecondsAfterFinished: 3600 });
      const pod = job.spec.template.spec;
      expect(pod).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, runAsUser: 101, fsGroup: 101, seccompProfile: { type: 'RuntimeDefault' } } });
      expect(pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm).toEqual({
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'tenant-app', 'app.kubernetes.io/instance': 'k8s-vol' } },
        topologyKey: 'kubernetes.io/hostname',
      });
      expect(pod.volumes).toEqual([
        { name: 'data', persistentVolumeClaim: { claimName: 'app-data', readOnly: true } },
        { name: 'scratch', emptyDir: { sizeLimit: '20Gi' } },
      ]);
      const container = pod.containers[0];
      expect(container).toMatchObject({
        image: 'registry.example.com/archiver:1',
        command: ['/bin/sh', '-c', expect.stringContaining('tar -C /data -cf /scratch/files.tar .')],
        name: 'volume',
        env: [{ name: 'TRANSFER_URL', valueFrom: { secretKeyRef: { name: `${result.job}-url`, key: 'TRANSFER_URL' } } }],
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        volumeMounts: [
          { name: 'data', mountPath: '/data', readOnly: true },
          { name: 'scratch', mountPath: '/scratch' },
        ],
      });
      expect(container.command[2]).toContain('curl --fail --silent --show-error --retry 3 --upload-file /scratch/files.tar "$TRANSFER_URL"');
      expect(JSON.stringify(job)).not.toContain('s3cr3t');
      expect(Buffer.from(secretWhileRunning!.data.TRANSFER_URL, 'base64').toString()).toBe(UPLOAD);
      // Its pods may reach the storage, nothing else beyond the tenant's own rules.
      const egress = fake.get('NetworkPolicy', ns, 'volume-jobs-egress')!;
      expect(() => new NetworkPolicy(egress as never).validate()).not.toThrow();
      expect(egress.spec).toMatchObject({
        podSelector: { matchExpressions: [{ key: 'saas-control-plane/job', operator: 'In', values: ['volume-archive', 'volume-restore'] }] },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ protocol: 'TCP', port: 443 }] }],
      });
      // The upload URL's Secret is gone; the Job stays for its TTL, for inspection.
      expect(fake.get('Secret', ns, `${result.job}-url`)).toBeUndefined();
      expect(fake.get('Job', ns, result.job)!.status).toMatchObject({ succeeded: 1 });
      expect(fake.get('Secret', ns, 'app-env')).toBeDefined();
    });

    it('reports a failed Job with its reason and last log line, and one that does not finish in time as a timeout, deleting it', async () => {
      const { spec, db } = tenant('volfail');
      const runtime = runtimeWith();
      await runtime.ensureInstance(spec, db);
      const ns = 'tenant-k8s-volfail';
      fake.options.jobOutcome = () => ({ succeeded: false, log: ['curl: (22) The requested URL returned error: 403'] });
      const failed = await runtime.archiveVolume(spec.tenantId, UPLOAD, 5_000).catch((err: unknown) => err);
      expect(failed).toBeInstanceOf(TenantRuntimeException);
      expect(failed).toMatchObject({ reason: 'unhealthy' });
      expect((failed as Error).message).toMatch(/^volume archive job tenant-k8s-volfail\/volume-archive-[0-9a-f]{8} failed: Job has reached the specified backoff limit \(curl: \(22\) The requested URL returned error: 403\)$/);
      expect(fake.objects('Secret', ns).map((o) => o.metadata.name)).toEqual(['app-env']);

      fake.options.jobOutcome = () => null;
      const stuck = await runtime.archiveVolume(spec.tenantId, UPLOAD, 300).catch((err: unknown) => err);
      expect(stuck).toMatchObject({ reason: 'timeout' });
      expect((stuck as Error).message).toMatch(/did not finish within 300 ms; deleted/);
      const jobs = fake.objects('Job', ns);
      expect(jobs).toHaveLength(1); // the failed one, kept for its TTL; the stuck one deleted
      expect(jobs[0]!.status).toMatchObject({ failed: 1 });
      expect(fake.requests.some((r) => r.method === 'DELETE' && r.path.includes('/jobs/') && r.query.propagationPolicy === 'Background')).toBe(true);
      expect(fake.objects('Secret', ns).map((o) => o.metadata.name)).toEqual(['app-env']);

      await expect(runtime.archiveVolume(randomUUID(), UPLOAD, 1_000)).rejects.toMatchObject({ code: 'INSTANCE_NOT_FOUND', status: 404 });
    });

    it('restores an archive onto the volume by a Job: the claim read-write, the download checked against its sha256 before the volume is emptied', async () => {
      const { spec, db } = tenant('volback');
      const runtime = runtimeWith();
      await runtime.ensureInstance(spec, db);
      const ns = 'tenant-k8s-volback';
      let seen: Record<string, any> | undefined;
      fake.options.jobOutcome = (job) => {
        seen = structuredClone(job);
        return { succeeded: true, log: ['volume-restore done'] };
      };
      await runtime.restoreVolume(spec.tenantId, 'https://storage.example.com/b/files.tar?X-Amz-Signature=g3t', SHA, 5_000);
      const job = seen!;
      expect(() => new Job(job as never).validate()).not.toThrow();
      expect(job.metadata).toMatchObject({ name: expect.stringMatching(/^volume-restore-[0-9a-f]{8}$/), labels: { 'saas-control-plane/job': 'volume-restore' } });
      const pod = job.spec.template.spec;
      expect(pod.volumes[0]).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'app-data', readOnly: false } });
      const container = pod.containers[0];
      expect(container.volumeMounts[0]).toEqual({ name: 'data', mountPath: '/data', readOnly: false });
      expect(container.env).toEqual([
        { name: 'TRANSFER_URL', valueFrom: { secretKeyRef: { name: `${job.metadata.name}-url`, key: 'TRANSFER_URL' } } },
        { name: 'EXPECTED_SHA256', value: SHA },
      ]);
      const script = container.command[2] as string;
      // Downloaded and checked first; only then is the volume emptied and the archive unpacked.
      const order = ['--output /scratch/files.tar "$TRANSFER_URL"', '!= "$EXPECTED_SHA256"', 'find /data -mindepth 1 -delete', 'tar -C /data -xf /scratch/files.tar'].map((part) => script.indexOf(part));
      expect(order.every((at) => at >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(JSON.stringify(job)).not.toContain('g3t');
      expect(fake.objects('Secret', ns).map((o) => o.metadata.name)).toEqual(['app-env']);

      fake.options.jobOutcome = () => ({ succeeded: false, log: [`volume-restore: the archive downloaded has sha256 ${'cd'.repeat(32)}, not ${SHA}`] });
      await expect(runtime.restoreVolume(spec.tenantId, 'https://storage.example.com/b/files.tar', SHA, 5_000)).rejects.toThrow(/^volume restore job tenant-k8s-volback\/volume-restore-[0-9a-f]{8} failed: .*\(volume-restore: the archive downloaded has sha256 c/);
    });
  });
});
