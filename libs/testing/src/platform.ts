import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { httpRequest, type HttpResponse } from './http.js';
import { distPath, processesWithArgument, REPO_ROOT, startProcess, startService, type ManagedProcess } from './processes.js';
import { dropDatabasesStartingWith, TestEnv } from './test-env.js';

/** A user of a TestPlatform, signed in. */
export interface PlatformUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

export interface PlatformOptions {
  /** Services to start before the gateway (identity first: it creates the admin). */
  services: string[];
  /** Extra environment for every process. */
  env?: Record<string, string>;
  /** Extra environment for one service (`{ billing: { BILLING_TRIAL_DAYS: 'premium:0' } }`). */
  serviceEnv?: Record<string, Record<string, string>>;
  /** Extra environment for the gateway only. */
  gatewayEnv?: Record<string, string>;
  admin?: { email: string; password: string };
}

/**
 * A whole platform for one e2e spec, from dist: its own database, subject prefix, runtime directory
 * and port range; services then the gateway; `stop()` ends every process, the tenants' apps and
 * databases, the KV buckets and the world. One helper instead of a copy in every spec.
 */
export class TestPlatform {
  readonly procs: ManagedProcess[] = [];
  baseUrl = '';
  port = 0;
  private adminAccess?: string;

  private constructor(
    readonly env: TestEnv,
    readonly runId: string,
    readonly runtimeDir: string,
    readonly admin: { email: string; password: string },
  ) {}

  static async start(label: string, options: PlatformOptions): Promise<TestPlatform> {
    execFileSync(process.execPath, ['tools/build.mjs'], { cwd: REPO_ROOT, env: { ...process.env, BUILD_QUIET: '1' } });
    const runId = randomBytes(3).toString('hex');
    const env = await TestEnv.create(label);
    const runtimeDir = mkdtempSync(path.join(tmpdir(), `${label}-${runId}-`));
    const platform = new TestPlatform(env, runId, runtimeDir, options.admin ?? { email: `ops-${runId}@example.com`, password: 'Ops-Password-Strong-42' });
    const base = 20_000 + Math.floor(Math.random() * 120) * 100;
    const common = env.env({
      LOCAL_RUNTIME_DIR: runtimeDir,
      LOCAL_PORT_RANGE: `${base}-${base + 99}`,
      SHARED_TENANT_DATABASE: `t_shared_${runId}`,
      KEY_ENCRYPTION_SECRET: 'test-platform-key-encryption-secret-0123456789',
      MAIL_LOG_DIR: path.join(runtimeDir, 'mail'),
      BACKUP_DIR: path.join(runtimeDir, 'backups'),
      ...options.env,
    });
    try {
      for (const service of options.services) {
        const own = { ...common, ...options.serviceEnv?.[service] };
        platform.procs.push(await startService(service, service === 'identity' ? { ...own, ADMIN_EMAIL: platform.admin.email, ADMIN_PASSWORD: platform.admin.password } : own));
      }
      const gateway = startProcess('gateway', distPath('apps', 'gateway', 'src', 'main.js'), { ...common, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...options.gatewayEnv });
      platform.procs.push(gateway);
      const ready = JSON.parse(await gateway.waitForOutput(/gateway ready/, 30_000)) as { url: string; port: number };
      platform.baseUrl = ready.url;
      platform.port = ready.port;
      return platform;
    } catch (err) {
      await platform.stop();
      throw err;
    }
  }

  /** A request to the gateway, with a bearer token when given. */
  call(method: string, url: string, token?: string, body?: object, headers: Record<string, string> = {}): Promise<HttpResponse> {
    return httpRequest(this.baseUrl, {
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(body ? { payload: body } : {}),
    });
  }

  /** An access token of `email` (throws when the login is refused). */
  async login(email: string, password: string): Promise<string> {
    const res = await this.call('POST', '/api/v1/auth/login', undefined, { email, password });
    if (res.statusCode !== 200) throw new Error(`login of ${email} answered ${res.statusCode}: ${res.body}`);
    return res.json().access_token as string;
  }

  /** The platform admin's access token (the admin identity created at boot). */
  async adminToken(): Promise<string> {
    this.adminAccess ??= await this.login(this.admin.email, this.admin.password);
    return this.adminAccess;
  }

  /**
   * A verified user the admin creates (`<name>-<runId>@example.com`), signed in: a tenant owner, a
   * stranger. `premium` unless told, so a spec's tenants are not held back by the free plan's limits.
   */
  async user(name: string, options: { password?: string; tier?: string } = {}): Promise<PlatformUser> {
    const email = `${name}-${this.runId}@example.com`;
    const password = options.password ?? 'Tenant-Owner-Password-42';
    const created = await this.call('POST', '/api/v1/users', await this.adminToken(), { email, password, full_name: name, tier: options.tier ?? 'premium', email_verified: true });
    if (created.statusCode !== 201) throw new Error(`creating user ${email} answered ${created.statusCode}: ${created.body}`);
    return { id: created.json().id as string, email, password, token: await this.login(email, password) };
  }

  async stop(): Promise<void> {
    for (const p of [...this.procs].reverse()) await p.kill('SIGTERM');
    // Tenants' apps outlive provisioning by design: end the ones that run in this platform's runtime directory.
    for (const pid of processesWithArgument('--saas-tenant=')) {
      try {
        if (!readlinkSync(`/proc/${pid}/cwd`).startsWith(this.runtimeDir)) continue;
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    const c = await this.env.pg();
    try {
      await dropDatabasesStartingWith(c, `t_shared_${this.runId}`);
      const dbs = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`tenant\\_%${this.runId}%`]);
      for (const r of dbs.rows) await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
      const roles = await c.query<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname LIKE $1`, [`tenant\\_%${this.runId}%`]);
      for (const r of roles.rows) await c.query(`DROP OWNED BY "${r.rolname}"; DROP ROLE "${r.rolname}"`).catch(() => undefined);
    } finally {
      await c.end();
    }
    rmSync(this.runtimeDir, { recursive: true, force: true });
    const jsm = await jetstreamManager(await this.env.nats()).catch(() => undefined);
    if (jsm) {
      const prefix = this.env.prefix.replace(/[^A-Za-z0-9_-]/g, '_');
      for (const bucket of ['gateway_idempotency', 'gateway_maintenance']) await jsm.streams.delete(`KV_${prefix}${bucket}`).catch(() => undefined);
    }
    await this.env.cleanup();
  }
}
