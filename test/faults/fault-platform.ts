import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventTypes, type TenantView } from '@saas/contracts';
import { natsAuthorizationConf, NatsPrincipals, type NatsPrincipal } from '../../tools/nats/permissions.js';
import {
  distPath,
  OwnNatsServer,
  OwnPostgres,
  processesWithArgument,
  readEvents,
  REPO_ROOT,
  startProcess,
  startService,
  TestEnv,
  waitFor,
  WebhookReceiver,
  type ManagedProcess,
} from '@saas/testing';

/**
 * The platform on a NATS server and a Postgres cluster of its own (libs/testing own-servers), so a
 * fault test can kill, pause and restart them: every service (provisioning on the local runtime,
 * backups on a directory, billing on the sandbox provider) plus the gateway, with short timeouts and leases so that recovery is quick. A test drives it
 * through the gateway like an operator's client would: sign-ups retried on 503/504 with the same
 * Idempotency-Key.
 */

export const PLATFORM_SERVICES = ['identity', 'tenants', 'provisioning', 'backups', 'billing', 'webhooks'] as const;
export type PlatformService = (typeof PLATFORM_SERVICES)[number];

const ADMIN = { email: 'faults-admin@example.com', password: 'Fault-Injection-Admin-2026!' };

/** Short deadlines: a blip is noticed and retried within a second or two, not after the defaults' 5-30 s. */
const FAST = {
  RPC_TIMEOUT_MS: '1000',
  EVENT_ACK_WAIT_MS: '4000',
  EVENT_BACKOFF_MS: '100',
  PROVISIONING_JOB_LEASE_MS: '2000',
  PROVISIONING_POLL_MS: '200',
  PROVISIONING_RETRY_BACKOFF_MS: '200',
  LOCAL_START_TIMEOUT_MS: '20000',
  SHUTDOWN_TIMEOUT_MS: '8000',
};

export interface CaseResult {
  case: string;
  created: number;
  active: number;
  duplicates: number;
  lost_events: number;
  recover_ms: number | null;
  /** Webhook deliveries that reached a receiver after later events of their tenant (a crash's redeliveries). */
  reordered?: number;
}

export interface SignUpOutcome {
  tenant: TenantView;
  attempts: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FaultPlatform {
  readonly procs = new Map<string, ManagedProcess>();
  readonly tenants: TenantView[] = [];
  /** A platform webhook endpoint for `tenant.ready`: every tenant's must arrive, under one webhook-id. */
  readonly receiver = new WebhookReceiver();
  baseUrl = '';
  private adminToken = '';
  private readonly runId = randomBytes(3).toString('hex');
  private readonly portBase = 20_000 + Math.floor(Math.random() * 120) * 100;

  /** With `natsAuth`: each process's NATS password (its user is its name); none otherwise. */
  readonly natsPasswords = new Map<NatsPrincipal, string>();

  private constructor(
    readonly nats: OwnNatsServer,
    readonly pg: OwnPostgres,
    readonly env: TestEnv,
    readonly runtimeDir: string,
  ) {}

  /**
   * `replicas`: processes of each service (`tenants`, `tenants-2`, …), sharing the work as in production.
   * `natsAuth`: the NATS server enforces the production permissions (tools/nats/permissions.ts) and
   * every process connects as its own user; the test's own connections (no credentials) are an
   * unrestricted user of their own.
   */
  static async start(label: string, options: { replicas?: number; natsAuth?: boolean } = {}): Promise<FaultPlatform> {
    execFileSync(process.execPath, ['tools/build.mjs'], { cwd: REPO_ROOT, env: { ...process.env, BUILD_QUIET: '1' } });
    const [nats, pg] = await Promise.all([OwnNatsServer.start(), OwnPostgres.start()]);
    const env = await TestEnv.create(label, { pgAdminUrl: pg.url(), natsUrl: nats.url });
    const platform = new FaultPlatform(nats, pg, env, mkdtempSync(path.join(tmpdir(), `faults-${label}-`)));
    if (options.natsAuth) {
      for (const p of NatsPrincipals) platform.natsPasswords.set(p, randomBytes(12).toString('hex'));
      const suite = { user: 'fault-suite', password: randomBytes(12).toString('hex') };
      await nats.configure(`${natsAuthorizationConf(env.prefix, (p) => platform.natsPasswords.get(p)!, [suite])}no_auth_user: ${JSON.stringify(suite.user)}\n`);
    }
    for (let r = 1; r <= (options.replicas ?? 1); r++) {
      for (const s of PLATFORM_SERVICES) await platform.startService(s, {}, r === 1 ? s : `${s}-${r}`);
    }
    await platform.startGateway();
    await platform.receiver.start();
    await platform.login();
    const endpoint = await platform.api('POST', '/api/v1/webhooks/endpoints', { body: { url: platform.receiver.url, description: 'fault suite', event_types: [EventTypes.TenantReady] } });
    if (endpoint.status !== 201) throw new Error(`cannot create the webhook endpoint: ${endpoint.status} ${JSON.stringify(endpoint.body)}`);
    return platform;
  }

  serviceEnv(service: PlatformService, extra: Record<string, string> = {}): Record<string, string> {
    return this.env.env({
      ...FAST,
      METRICS_PORT: '0',
      ...(service === 'identity' ? { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } : {}),
      ...(service === 'provisioning'
        ? { LOCAL_RUNTIME_DIR: this.runtimeDir, LOCAL_PORT_RANGE: `${this.portBase}-${this.portBase + 99}`, SHARED_TENANT_DATABASE: `shared_${this.runId}` }
        : {}),
      ...(service === 'backups' ? { BACKUP_DIR: `${this.runtimeDir}/backups`, BACKUP_POLL_MS: '100', BACKUP_LEASE_MS: '3000' } : {}),
      ...(service === 'webhooks' ? { WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_SCHEDULE_S: '0.2,0.5,1,2,4', WEBHOOK_POLL_MS: '100' } : {}),
      ...this.natsCredentials(service),
      ...extra,
    });
  }

  /** NATS_USER / NATS_PASSWORD of a process when the server enforces permissions. */
  natsCredentials(principal: NatsPrincipal): Record<string, string> {
    const password = this.natsPasswords.get(principal);
    return password ? { NATS_USER: principal, NATS_PASSWORD: password } : {};
  }

  async startService(service: PlatformService, extra: Record<string, string> = {}, name: string = service): Promise<ManagedProcess> {
    const proc = await startService(service, this.serviceEnv(service, extra));
    this.procs.set(name, proc);
    return proc;
  }

  /** Starts a gateway replica (`name`); the first one, `gateway`, is where `api()` goes. Returns its base URL. */
  async startGateway(name = 'gateway'): Promise<string> {
    const gateway = startProcess(
      name,
      distPath('apps', 'gateway', 'src', 'main.js'),
      this.env.env({
        ...FAST,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        RATE_LIMITS: 'anonymous:1000000,standard:1000000,admin:1000000',
        HEALTH_RPC_TIMEOUT_MS: '1000',
        REVOCATION_CHECK_MS: '250',
        API_KEY_CACHE_S: '60',
        ...this.natsCredentials('gateway'),
      }),
    );
    const ready = JSON.parse(await gateway.waitForOutput(/gateway ready/, 30_000)) as { port: number };
    this.procs.set(name, gateway);
    const url = `http://127.0.0.1:${ready.port}`;
    if (name === 'gateway') this.baseUrl = url;
    return url;
  }

  /** A service's own readiness (`:<METRICS_PORT>/ready`): 200 when its Postgres, NATS and event consumer are fine. */
  async serviceReady(name: string): Promise<number> {
    const line = this.procs.get(name)?.output().split('\n').find((l) => l.includes('service ready') && l.includes('metrics_port'));
    const port = line ? (JSON.parse(line) as { metrics_port?: number }).metrics_port : undefined;
    if (!port) throw new Error(`${name} has no metrics port`);
    try {
      return (await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(5_000) })).status;
    } catch {
      return 0;
    }
  }

  /** Kills a platform process (SIGKILL: no cleanup, mid-whatever) and waits until it is gone. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.procs.get(name)?.kill(signal);
    this.procs.delete(name);
  }

  /** An HTTP call through the gateway; network errors (gateway down) come back as status 0. */
  async api(method: string, url: string, opts: { body?: unknown; token?: string; headers?: Record<string, string>; base?: string } = {}): Promise<{ status: number; body: any }> {
    try {
      const res = await fetch(`${opts.base ?? this.baseUrl}${url}`, {
        method,
        headers: {
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(opts.token ?? this.adminToken ? { authorization: `Bearer ${opts.token ?? this.adminToken}` } : {}),
          ...opts.headers,
        },
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    } catch (err) {
      return { status: 0, body: { error: (err as Error).message } };
    }
  }

  /** Logs the platform admin in (retrying while something is still coming up). */
  async login(email = ADMIN.email, password = ADMIN.password): Promise<{ access_token: string; refresh_token: string }> {
    const res = await waitFor(
      async () => {
        const r = await this.api('POST', '/api/v1/auth/login', { body: { email, password }, token: '' });
        return r.status === 200 ? r : null;
      },
      'the admin to log in',
      30_000,
      200,
    );
    if (email === ADMIN.email) this.adminToken = res.body.access_token;
    return res.body;
  }

  /**
   * Signs `count` tenants up at once, each like a careful client: one Idempotency-Key, retried on
   * 503/504/409-in-progress or a dropped connection until accepted; a 409 "subdomain taken" after
   * a lost answer means the first try went through, and the tenant is looked up. Runs `during`
   * (the fault) `faultAfterMs` after the burst started.
   */
  async signUpBurst(label: string, count: number, fault?: { afterMs: number; run: () => Promise<void> }): Promise<{ outcomes: SignUpOutcome[]; faultEndedAt: number }> {
    const started = Date.now();
    const faultDone = fault ? sleep(fault.afterMs).then(fault.run).then(() => Date.now()) : Promise.resolve(Date.now());
    const outcomes = await Promise.all(Array.from({ length: count }, (_, i) => this.signUp(`${label}-${i}-${this.runId}`, started + 90_000)));
    const faultEndedAt = await faultDone;
    this.tenants.push(...outcomes.map((o) => o.tenant));
    return { outcomes, faultEndedAt };
  }

  private async signUp(subdomain: string, deadline: number): Promise<SignUpOutcome> {
    const key = randomUUID();
    const body = { name: `Fault ${subdomain}`, subdomain, database_strategy: 'dedicated' };
    for (let attempts = 1; ; attempts++) {
      const res = await this.api('POST', '/api/v1/tenants', { body, headers: { 'idempotency-key': key } });
      if (res.status === 202 || res.status === 201) return { tenant: res.body as TenantView, attempts };
      // A retry after a lost answer (the first try went through): the subdomain is now taken — by us.
      const taken = (res.status === 409 && res.body?.code !== 'IDEMPOTENCY_KEY_IN_PROGRESS') || (res.status === 400 && res.body?.code === 'INVALID_SUBDOMAIN' && attempts > 1);
      if (taken) {
        const found = await this.findBySlug(subdomain);
        if (found) return { tenant: found, attempts };
        // The list did not answer (a busy or killed replica): look again, as a client would.
        if (found === null && Date.now() <= deadline) {
          await sleep(250);
          continue;
        }
      }
      const retryable = res.status === 0 || res.status === 503 || res.status === 504 || res.status === 409;
      if (!retryable || Date.now() > deadline) throw new Error(`sign-up ${subdomain} failed: ${res.status} ${JSON.stringify(res.body)}\n${this.warnings()}`);
      await sleep(250);
    }
  }

  /** The caller's tenant of that slug; undefined when it has none, null when the list did not answer. */
  private async findBySlug(slug: string): Promise<TenantView | undefined | null> {
    const res = await this.api('GET', `/api/v1/tenants?search=${encodeURIComponent(slug)}&page_size=100`);
    if (res.status !== 200) return null;
    return (res.body?.results as TenantView[] | undefined)?.find((t) => t.slug === slug || t.subdomain === slug);
  }

  /** Waits until every tenant is `active` (failing at once on `error`); returns when the last got there. */
  untilActive(ids: string[], timeoutMs = 120_000): Promise<number> {
    return this.untilStatus(ids, 'active', timeoutMs);
  }

  /** Waits until every tenant is in `status` (failing at once on `error`); returns when the last got there. */
  async untilStatus(ids: string[], status: string, timeoutMs = 120_000): Promise<number> {
    const pending = new Set(ids);
    const deadline = Date.now() + timeoutMs;
    let last: Record<string, unknown> = {};
    while (pending.size > 0) {
      for (const id of [...pending]) {
        const res = await this.api('GET', `/api/v1/tenants/${id}/status`);
        last[id] = res.body;
        if (res.status !== 200) continue;
        if (res.body.status === status) pending.delete(id);
        else if (res.body.status === 'error') throw new Error(`tenant ${id} ended in error: ${JSON.stringify(res.body)}`);
      }
      if (pending.size === 0) break;
      if (Date.now() > deadline) {
        last = Object.fromEntries(Object.entries(last).filter(([id]) => pending.has(id)));
        throw new Error(`tenants not ${status} after ${timeoutMs} ms: ${JSON.stringify(last)}\n${this.warnings()}`);
      }
      await sleep(200);
    }
    return Date.now();
  }

  /** The last warnings and errors of every platform process (for a failing test's message). */
  warnings(): string {
    return [...this.procs.entries()]
      .map(([name, p]) => {
        const lines = p.output().split('\n');
        const exited = p.child.exitCode !== null || p.child.signalCode !== null;
        // A process that died says why on stderr, not in a log line (an unhandled 'error' event).
        const why = exited ? `\nEXITED (${p.child.exitCode ?? p.child.signalCode}):\n${lines.filter((l) => l && !l.startsWith('{')).slice(0, 12).join('\n')}` : '';
        return `--- ${name}\n${lines.filter((l) => /"level":"(warn|error|fatal)"/.test(l)).slice(-8).map((l) => l.slice(0, 1500)).join('\n')}${why}`;
      })
      .join('\n');
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], database?: string): Promise<T[]> {
    const pgmod = await import('pg');
    const client = new pgmod.default.Client({ connectionString: database ? this.pg.url(database) : this.env.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /**
   * What a user and an operator see once it is over, for the given tenants: each `active`, with
   * exactly one database, one role, one instance record and one app process, and exactly one
   * `tenant.ready` (no duplicate effect, none lost); nothing left unpublished in any outbox.
   */
  async endState(tenants: TenantView[]): Promise<{ active: number; duplicates: number; lostEvents: number; problems: string[] }> {
    const problems: string[] = [];
    let active = 0;
    let duplicates = 0;
    let lostEvents = 0;
    // Every committed event gets published (the outboxes drain) once NATS and Postgres are back.
    for (const schema of PLATFORM_SERVICES) {
      await waitFor(async () => (await this.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.outbox WHERE published_at IS NULL`))[0]!.n === 0, `${schema}'s outbox to drain`, 30_000, 200).catch(
        async () => {
          const [{ n }] = await this.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.outbox WHERE published_at IS NULL`);
          lostEvents += n;
          problems.push(`${schema}: ${n} events never published`);
        },
      );
    }
    // No platform process died on the way (a crash is not recovery, even if a replica covered it).
    problems.push(...this.deadProcesses());
    const events = await readEvents(await this.env.nats(), this.env.prefix, [EventTypes.TenantReady]);
    for (const t of tenants) {
      const res = await this.api('GET', `/api/v1/tenants/${t.id}`);
      if (res.body?.status === 'active') active++;
      else problems.push(`${t.slug}: ${res.body?.status}`);
      const db = `tenant_${t.slug.replace(/-/g, '_')}`;
      const [{ dbs }] = await this.query<{ dbs: number }>(`SELECT count(*)::int AS dbs FROM pg_database WHERE datname = $1`, [db]);
      const [{ roles }] = await this.query<{ roles: number }>(`SELECT count(*)::int AS roles FROM pg_roles WHERE rolname = $1`, [db]);
      const [{ instances }] = await this.query<{ instances: number }>(`SELECT count(*)::int AS instances FROM provisioning.tenant_instances WHERE tenant_id = $1 AND deleted_at IS NULL`, [t.id]);
      const processes = processesWithArgument(`--saas-tenant=${t.id}`).length;
      const ready = events.filter((e) => e.tenant_id === t.id).length;
      // Billing follows tenant.created on its own (a killed billing gets it again after the ack wait).
      const countSubscriptions = async () => (await this.query<{ n: number }>(`SELECT count(*)::int AS n FROM billing.subscriptions WHERE tenant_id = $1`, [t.id]))[0]!.n;
      const subscriptions = await waitFor(async () => ((await countSubscriptions()) > 0 ? countSubscriptions() : null), `${t.slug}'s subscription`, 30_000, 200).catch(() => 0);
      // Retries of one message keep its webhook-id; a second id would be a second delivery.
      const deliveries = await waitFor(
        async () => {
          const ids = this.readyDeliveryIds(t.id);
          return ids.size > 0 ? ids.size : null;
        },
        `${t.slug}'s tenant.ready webhook`,
        30_000,
        200,
      ).catch(() => 0);
      for (const [what, n] of [
        ['databases', dbs],
        ['roles', roles],
        ['instances', instances],
        ['app processes', processes],
        ['tenant.ready events', ready],
        ['subscriptions', subscriptions],
        ['tenant.ready webhook-ids', deliveries],
      ] as const) {
        if (n > 1) duplicates += n - 1;
        if (n === 0 && (what === 'tenant.ready events' || what === 'tenant.ready webhook-ids')) lostEvents++;
        if (n !== 1) problems.push(`${t.slug}: ${n} ${what}`);
      }
    }
    return { active, duplicates, lostEvents, problems };
  }

  /** Asks for each tenant's deletion like a careful client (retried on 503/504 and dropped connections). */
  async deleteAll(tenants: TenantView[]): Promise<void> {
    await Promise.all(
      tenants.map(async (t) => {
        for (let attempt = 1; ; attempt++) {
          const res = await this.api('DELETE', `/api/v1/tenants/${t.id}`);
          // A retry after a lost answer finds the deletion under way (409) or done.
          if (res.status === 202 || res.status === 409) return;
          if (![0, 503, 504].includes(res.status) || attempt > 200) throw new Error(`deleting ${t.slug} failed: ${res.status} ${JSON.stringify(res.body)}\n${this.warnings()}`);
          await sleep(250);
        }
      }),
    );
  }

  /**
   * What is left of deleted tenants: nothing (no database, role, live instance record or app
   * process), one completed final backup each, and one `tenant.deleted` each.
   */
  async deletedState(tenants: TenantView[]): Promise<string[]> {
    const problems: string[] = [];
    problems.push(...this.deadProcesses());
    const events = await readEvents(await this.env.nats(), this.env.prefix, [EventTypes.TenantDeleted]);
    for (const t of tenants) {
      const db = `tenant_${t.slug.replace(/-/g, '_')}`;
      const [{ dbs }] = await this.query<{ dbs: number }>(`SELECT count(*)::int AS dbs FROM pg_database WHERE datname = $1`, [db]);
      const [{ roles }] = await this.query<{ roles: number }>(`SELECT count(*)::int AS roles FROM pg_roles WHERE rolname = $1`, [db]);
      const [{ instances }] = await this.query<{ instances: number }>(`SELECT count(*)::int AS instances FROM provisioning.tenant_instances WHERE tenant_id = $1 AND deleted_at IS NULL`, [t.id]);
      // An interrupted final backup is taken again: failed attempts may precede the one that completed.
      const finals = await this.query<{ status: string }>(`SELECT status FROM backups.backups WHERE tenant_id = $1 AND type = 'pre_deletion' AND status <> 'failed'`, [t.id]);
      const processes = processesWithArgument(`--saas-tenant=${t.id}`).length;
      const deleted = events.filter((e) => e.tenant_id === t.id).length;
      for (const [what, n, want] of [
        ['databases', dbs, 0],
        ['roles', roles, 0],
        ['live instance records', instances, 0],
        ['app processes', processes, 0],
        ['final backups (not failed)', finals.length, 1],
        ['tenant.deleted events', deleted, 1],
      ] as const) {
        if (n !== want) problems.push(`${t.slug}: ${n} ${what}`);
      }
      if (finals[0] && finals[0].status !== 'completed') problems.push(`${t.slug}: final backup ${finals[0].status}`);
    }
    return problems;
  }

  /** Platform processes that exited on their own (the ones a test killed are no longer listed). */
  deadProcesses(): string[] {
    return [...this.procs]
      .filter(([, p]) => p.child.exitCode !== null || p.child.signalCode !== null)
      .map(([name, p]) => `${name} exited (${p.child.exitCode ?? p.child.signalCode})`);
  }

  /** The distinct webhook-ids under which the receiver got `tenant.ready` for a tenant. */
  readyDeliveryIds(tenantId: string): Set<string> {
    const ids = new Set<string>();
    for (const r of this.receiver.requests) {
      const body = JSON.parse(r.body) as { type?: string; data?: { tenant_id?: string } };
      if (body.type === EventTypes.TenantReady && body.data?.tenant_id === tenantId) ids.add(String(r.headers['webhook-id']));
    }
    return ids;
  }

  /** Starts a manual backup of each tenant (retried like a careful client); returns the backup ids. */
  async backUp(tenants: TenantView[]): Promise<Array<{ tenantId: string; backupId: string }>> {
    return Promise.all(
      tenants.map(async (t) => {
        const key = randomUUID();
        for (let attempt = 1; ; attempt++) {
          const res = await this.api('POST', `/api/v1/tenants/${t.id}/backups`, { body: {}, headers: { 'idempotency-key': key } });
          if (res.status === 202) return { tenantId: t.id, backupId: res.body.backup.id as string };
          if (![0, 409, 503, 504].includes(res.status) || attempt > 200) throw new Error(`backup of ${t.slug} failed: ${res.status} ${JSON.stringify(res.body)}\n${this.warnings()}`);
          await sleep(250);
        }
      }),
    );
  }

  /** Waits until a backup has ended (`completed` or `failed`) and returns it. */
  async backupEnded(tenantId: string, backupId: string, timeoutMs = 90_000): Promise<{ status: string; error?: unknown }> {
    return waitFor(
      async () => {
        const res = await this.api('GET', `/api/v1/tenants/${tenantId}/backups/${backupId}`);
        return res.status === 200 && ['completed', 'failed'].includes(res.body.status) ? res.body : null;
      },
      `backup ${backupId} to end`,
      timeoutMs,
      200,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${this.warnings()}`);
    });
  }

  /** Files under the backups directory that are not a finished part (a killed process's leftovers). */
  async partialBackupFiles(): Promise<string[]> {
    const { readdir } = await import('node:fs/promises');
    const root = path.join(this.runtimeDir, 'backups');
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isFile() && /partial|\.tmp$/i.test(e.name)).map((e) => path.join(e.parentPath, e.name));
  }

  /**
   * Databases and roles on this run's own Postgres that belong to no tenant (left behind by a crash
   * mid-step). App processes are counted per tenant in endState (other runs' apps share /proc).
   */
  async orphans(): Promise<string[]> {
    const known = new Set(this.tenants.map((t) => `tenant_${t.slug.replace(/-/g, '_')}`));
    const dbs = await this.query<{ name: string }>(`SELECT datname AS name FROM pg_database WHERE datname LIKE 'tenant\\_%' OR datname LIKE 'prep\\_%'`);
    const roles = await this.query<{ name: string }>(`SELECT rolname AS name FROM pg_roles WHERE rolname LIKE 'tenant\\_%'`);
    return [...dbs.filter((d) => !known.has(d.name)).map((d) => `database ${d.name}`), ...roles.filter((r) => !known.has(r.name)).map((r) => `role ${r.name}`)];
  }

  /** Every process's whole output, into FAULT_LOG_DIR when set (for a failure seen only in CI). */
  dumpLogs(label: string): void {
    const dir = process.env.FAULT_LOG_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    for (const [name, p] of this.procs) writeFileSync(path.join(dir, `${label}-${name}.log`), p.output());
  }

  async stop(): Promise<void> {
    this.dumpLogs(`${this.env.prefix}`);
    const gateways = [...this.procs.entries()].filter(([n]) => n.startsWith('gateway'));
    await Promise.all(gateways.map(([, p]) => p.kill('SIGTERM')));
    await Promise.all([...this.procs.entries()].filter(([n]) => !n.startsWith('gateway')).map(([, p]) => p.kill('SIGTERM')));
    this.procs.clear();
    for (const t of this.tenants) for (const pid of processesWithArgument(`--saas-tenant=${t.id}`)) process.kill(pid, 'SIGKILL');
    await this.receiver.stop().catch(() => undefined);
    await this.env.cleanup().catch(() => undefined);
    await Promise.all([this.pg.stop(), this.nats.stop()]);
    rmSync(this.runtimeDir, { recursive: true, force: true });
  }
}

/** One line per case, collected by the report (and readable in CI logs). */
export function report(result: CaseResult): void {
  process.stdout.write(`FAULT-RESULT ${JSON.stringify(result)}\n`);
}
