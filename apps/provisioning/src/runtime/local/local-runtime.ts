import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { SystemClock, type Clock } from '@saas/service-kit';
import type { TenantDatabaseInfo } from '../../tenant-database/tenant-database.types.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { queryLogs } from '../log-query.js';
import { MetricsHistory } from '../metrics-history.js';
import { planResources } from '../plans.js';
import { TenantRuntimeException } from '../runtime.exception.js';
import { assertTenantSlug } from '../tenant-names.js';
import type {
  InstanceInfo,
  InstanceMetrics,
  LogPage,
  LogQuery,
  MetricsRange,
  StepCallback,
  TenantRuntime,
  TenantSpec,
  TenantStorageMeter,
} from '../tenant-runtime.js';
import { HealthTimeoutError, probeHttp, ProcessExitedError, waitUntilHealthy } from './health-probe.js';
import { JsonFileInstanceStateStore, type InstanceStateStore, type LocalInstanceState } from './instance-state.store.js';
import { appendRuntimeLog, readLogEntries, rotateIfLarger } from './log-files.js';
import { allocatePort, type PortRange } from './port-allocator.js';
import { CLOCK_TICKS, usageByProcessGroup } from './proc-fs.js';
import { ADDONS_DIRNAME, syncAddons } from '../plugin-repo.js';
import {
  findTenantProcesses,
  isOurProcess,
  spawnTenantProcess,
  stopProcessGroup,
  tenantMarker,
  type ProcessIdentity,
} from './tenant-process.js';

export interface LocalRuntimeOptions {
  /** Per-tenant directories (state, logs, the app's HOME). */
  runtimeDir: string;
  /** The app's command line, without the tenant marker. */
  command: string[];
  appVersion: string;
  portRange: PortRange;
  bindHost: string;
  /** `{slug}` is replaced. */
  accessUrlTemplate: string;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  superviseIntervalMs: number;
  /**
   * Consecutive failed health checks (one per supervision pass) after which a running instance that
   * has not exited is taken as hung: stopped and restarted like a crashed one. 0 turns it off.
   */
  livenessFailures?: number;
  restartBackoffMs: number;
  metricsIntervalMs: number;
  metricsSamples: number;
  logMaxBytes: number;
  appLogLevel?: string;
  healthPath?: string;
}

export interface LocalRuntimeDeps {
  logger: Logger;
  storage?: TenantStorageMeter;
  /** Default: JSON files in `runtimeDir`. */
  stateStore?: InstanceStateStore;
  /** Stamps states (started, updated) and metric samples; default the system clock. */
  clock?: Clock;
}

const MAX_RESTART_DELAY_MS = 30_000;
/** A process that ran this long before dying starts a fresh backoff sequence. */
const STABLE_AFTER_MS = 10_000;
const LOG_READ_BYTES = 8 * 1024 * 1024;

/**
 * Tenants' apps as supervised local processes (ARCHITECTURE § Provisioning runtimes, `local`).
 *
 * Crash safety of the provisioning process rests on three things: the state (desired state, port,
 * pid + start time) is saved before each spawn and after each change; every app process carries a
 * `--saas-tenant=<id>` argument, so /proc tells which tenant a process belongs to even when the
 * state never learned its pid; and `init()` reconciles — it adopts the live process the state names,
 * kills any other process of that tenant, and restarts what should run but does not. So a
 * provisioning service SIGKILLed at any point and started again ends with exactly one instance.
 *
 * Apps are detached (own session and process group), so they outlive provisioning. One
 * provisioning process per machine supervises them (a second one would race restarts).
 */
export class LocalRuntime implements TenantRuntime {
  readonly kind = 'local' as const;
  private readonly store: InstanceStateStore;
  private readonly states = new Map<string, LocalInstanceState>();
  private readonly locks = new KeyedMutex();
  private readonly children = new Map<string, ChildProcess>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  /** Health checks in flight (one per tenant at a time) and failed ones in a row, for hang detection. */
  private readonly probing = new Set<string>();
  private readonly livenessMisses = new Map<string, number>();
  private readonly history = new Map<string, MetricsHistory>();
  private readonly cpuBaseline = new Map<string, { pid: number; ticks: number; at: number }>();
  private readonly background = new Set<Promise<unknown>>();
  private superviseTimer?: NodeJS.Timeout;
  private metricsTimer?: NodeJS.Timeout;
  private closed = true;
  private readonly clock: Clock;

  constructor(
    private readonly options: LocalRuntimeOptions,
    private readonly deps: LocalRuntimeDeps,
  ) {
    this.store = deps.stateStore ?? new JsonFileInstanceStateStore(options.runtimeDir);
    this.clock = deps.clock ?? new SystemClock();
  }

  async init(): Promise<void> {
    this.closed = false;
    for (const state of await this.store.list()) {
      this.states.set(state.tenantId, state);
      await this.locks.run(state.tenantId, () => this.reconcile(state.tenantId));
    }
    this.superviseTimer = setInterval(() => this.superviseAll(), this.options.superviseIntervalMs);
    this.superviseTimer.unref();
    this.metricsTimer = setInterval(() => this.track(this.sampleAll()), this.options.metricsIntervalMs);
    this.metricsTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.superviseTimer);
    clearInterval(this.metricsTimer);
    for (const timer of this.restartTimers.values()) clearTimeout(timer);
    this.restartTimers.clear();
    await Promise.allSettled([...this.background]);
  }

  async ensureInstance(spec: TenantSpec, db: TenantDatabaseInfo, onStep?: StepCallback): Promise<InstanceInfo> {
    this.validate(spec);
    return this.locks.run(spec.tenantId, async () => {
      onStep?.('instance.prepare', 10);
      const existing = this.states.get(spec.tenantId) ?? (await this.store.get(spec.tenantId));
      if (existing && existing.slug !== spec.slug) {
        throw new TenantRuntimeException(`tenant ${spec.tenantId} already runs as "${existing.slug}"; a slug cannot change`, 'invalid_spec');
      }
      const state = this.desiredState(spec, db, existing);
      this.states.set(spec.tenantId, state);
      this.clearRestart(spec.tenantId);
      await this.killStrays(state);
      if (isOurProcess(state.process, state.tenantId)) {
        if (existing?.fingerprint === state.fingerprint) {
          onStep?.('instance.adopt', 50);
          if (await this.awaitHealthy(state)) {
            state.status = 'running';
            await this.save(state);
            onStep?.('instance.ready', 100);
            return this.info(state);
          }
        }
        // Started with other settings (plan, credentials, version) or unhealthy: replace it.
        await this.stopProcess(state);
      }
      await this.save(state);
      await this.startProcess(state, onStep);
      return this.info(state);
    });
  }

  async stopInstance(tenantId: string): Promise<InstanceInfo> {
    return this.locks.run(tenantId, async () => {
      const state = await this.require(tenantId);
      this.clearRestart(tenantId);
      state.desired = 'stopped';
      await this.save(state);
      await this.stopProcess(state);
      state.status = 'stopped';
      await this.save(state);
      await appendRuntimeLog(this.logFile(state), 'info', 'instance stopped');
      return this.info(state);
    });
  }

  async startInstance(tenantId: string, onStep?: StepCallback): Promise<InstanceInfo> {
    return this.locks.run(tenantId, async () => {
      const state = await this.require(tenantId);
      this.clearRestart(tenantId);
      state.desired = 'running';
      if (isOurProcess(state.process, tenantId) && (await this.awaitHealthy(state))) {
        state.status = 'running';
        await this.save(state);
        return this.info(state);
      }
      await this.stopProcess(state);
      await this.startProcess(state, onStep);
      return this.info(state);
    });
  }

  async restartInstance(tenantId: string, onStep?: StepCallback): Promise<InstanceInfo> {
    return this.locks.run(tenantId, async () => {
      const state = await this.require(tenantId);
      this.clearRestart(tenantId);
      state.desired = 'running';
      await this.stopProcess(state);
      await this.startProcess(state, onStep);
      return this.info(state);
    });
  }

  async removeInstance(tenantId: string): Promise<void> {
    await this.locks.run(tenantId, async () => {
      this.clearRestart(tenantId);
      const state = this.states.get(tenantId) ?? (await this.store.get(tenantId));
      if (state) {
        // Saved first: a crash during removal must not bring the instance back on recovery.
        state.desired = 'stopped';
        await this.save(state);
        await this.stopProcess(state);
        await rm(this.tenantDir(state.slug), { recursive: true, force: true });
        await this.store.delete(tenantId);
      } else {
        for (const stray of findTenantProcesses(tenantId)) await stopProcessGroup(stray.pid, this.options.stopTimeoutMs);
      }
      this.states.delete(tenantId);
      this.children.delete(tenantId);
      this.history.delete(tenantId);
      this.cpuBaseline.delete(tenantId);
    });
  }

  async getInstance(tenantId: string): Promise<InstanceInfo | null> {
    const state = this.states.get(tenantId) ?? (await this.store.get(tenantId));
    return state ? this.info(state) : null;
  }

  async metrics(tenantId: string, range: MetricsRange): Promise<InstanceMetrics> {
    const state = await this.require(tenantId);
    let history = this.history.get(tenantId);
    if (!history?.latest() && isOurProcess(state.process, tenantId)) {
      await this.sample(state, usageByProcessGroup());
      history = this.history.get(tenantId);
    }
    const resources = planResources(state.plan);
    return {
      tenant_id: tenantId,
      runtime: 'local',
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      step_s: range.step_s,
      limits: { cpu_limit: resources.cpu_limit, memory_limit: resources.memory_limit, storage: resources.storage },
      current: history?.latest() ?? null,
      series: history?.series(range) ?? [],
    };
  }

  async logs(tenantId: string, query: LogQuery): Promise<LogPage> {
    const state = await this.require(tenantId);
    const file = this.logFile(state);
    return queryLogs(await readLogEntries([`${file}.1`, file], LOG_READ_BYTES), query);
  }

  async resolveUpstream(slug: string): Promise<{ host: string; port: number } | null> {
    const state = [...this.states.values()].find((s) => s.slug === slug);
    if (!state || state.desired !== 'running' || state.status !== 'running' || state.port === null) return null;
    if (!isOurProcess(state.process, state.tenantId)) return null;
    return { host: this.connectHost(), port: state.port };
  }

  // ---- processes ----

  /** Allocates a port, records the intent, spawns, records the process, waits for /health. */
  private async startProcess(state: LocalInstanceState, onStep?: StepCallback, attempt = 1): Promise<void> {
    const taken = new Set([...this.states.values()].filter((s) => s.tenantId !== state.tenantId && s.port !== null).map((s) => s.port!));
    const port = await allocatePort(this.options.portRange, this.options.bindHost, { preferred: state.port, exclude: taken });
    state.port = port;
    state.env = { ...state.env, PORT: String(port) };
    state.status = 'starting';
    state.process = null;
    await this.save(state);
    if (state.env.CUSTOM_PLUGIN_REPO) {
      onStep?.('instance.addons', 30);
      try {
        await syncAddons(state.env.CUSTOM_PLUGIN_REPO, this.tenantDir(state.slug));
      } catch (err) {
        state.status = 'failed';
        state.lastError = (err as Error).message;
        await this.save(state);
        await appendRuntimeLog(this.logFile(state), 'error', 'add-ons could not be installed', { error: state.lastError });
        throw err;
      }
    }
    onStep?.('instance.start', 40);
    const { child, identity } = spawnTenantProcess({
      command: state.command,
      env: state.env,
      cwd: this.tenantDir(state.slug),
      logFile: this.logFile(state),
    });
    state.process = identity;
    state.startedAt = this.clock.now().toISOString();
    await this.save(state);
    this.watch(state.tenantId, child, identity);
    onStep?.('instance.health', 60);
    try {
      const ms = await waitUntilHealthy({
        host: this.connectHost(),
        port,
        path: this.options.healthPath ?? '/health',
        timeoutMs: this.options.startTimeoutMs,
        isAlive: () => isOurProcess(identity, state.tenantId),
      });
      this.deps.logger.info({ tenant_id: state.tenantId, pid: identity.pid, port, ready_ms: ms }, 'tenant instance healthy');
    } catch (err) {
      if (isOurProcess(identity, state.tenantId)) await stopProcessGroup(identity.pid, this.options.stopTimeoutMs);
      const tail = (await readLogEntries([this.logFile(state)], 4096)).slice(-5).map((e) => e.message);
      state.process = null;
      state.status = 'failed';
      state.lastError = `${(err as Error).message}${tail.length ? `; last output: ${tail.join(' | ')}` : ''}`;
      await this.save(state);
      await appendRuntimeLog(this.logFile(state), 'error', 'instance failed to start', { error: state.lastError });
      // Someone took the port between our check and the app's bind: try another one.
      if (err instanceof ProcessExitedError && attempt < 3 && /EADDRINUSE/.test(state.lastError)) {
        state.port = null;
        return this.startProcess(state, onStep, attempt + 1);
      }
      throw new TenantRuntimeException(`instance of ${state.slug} did not become healthy: ${state.lastError}`, err instanceof HealthTimeoutError ? 'timeout' : 'crashed', {
        cause: err,
      });
    }
    state.status = 'running';
    state.lastError = null;
    await this.save(state);
    await appendRuntimeLog(this.logFile(state), 'info', 'instance started', { pid: identity.pid, port });
    onStep?.('instance.ready', 100);
  }

  private async stopProcess(state: LocalInstanceState): Promise<void> {
    if (state.process && isOurProcess(state.process, state.tenantId)) {
      await stopProcessGroup(state.process.pid, this.options.stopTimeoutMs);
    }
    await this.killStrays(state);
    state.process = null;
    this.children.delete(state.tenantId);
  }

  /** Processes of this tenant other than the one the state names: left by a crash between spawn and save. */
  private async killStrays(state: LocalInstanceState): Promise<void> {
    for (const p of findTenantProcesses(state.tenantId)) {
      if (state.process && p.pid === state.process.pid && p.startTime === state.process.startTime) continue;
      this.deps.logger.warn({ tenant_id: state.tenantId, pid: p.pid }, 'stopping a stray process of the tenant');
      await stopProcessGroup(p.pid, this.options.stopTimeoutMs);
    }
  }

  private async awaitHealthy(state: LocalInstanceState): Promise<boolean> {
    if (state.port === null || !state.process) return false;
    const identity = state.process;
    try {
      await waitUntilHealthy({
        host: this.connectHost(),
        port: state.port,
        path: this.options.healthPath ?? '/health',
        timeoutMs: this.options.startTimeoutMs,
        isAlive: () => isOurProcess(identity, state.tenantId),
      });
      return true;
    } catch {
      return false;
    }
  }

  // ---- supervision ----

  /** Converges one tenant on its desired state after a (re)start of this process. */
  private async reconcile(tenantId: string): Promise<void> {
    const state = this.states.get(tenantId);
    if (!state) return;
    await this.killStrays(state);
    const alive = isOurProcess(state.process, tenantId);
    if (state.desired === 'stopped') {
      if (alive) await this.stopProcess(state);
      state.process = null;
      state.status = 'stopped';
      await this.save(state);
      return;
    }
    if (alive) {
      this.deps.logger.info({ tenant_id: tenantId, pid: state.process!.pid, port: state.port }, 'adopted running tenant instance');
      const healthy = state.port !== null && (await probeHttp(this.connectHost(), state.port, this.options.healthPath ?? '/health', 2_000));
      if (healthy && state.status !== 'running') {
        state.status = 'running';
        await this.save(state);
      }
      return;
    }
    await this.noteDeath(state, 'not running when the runtime started');
  }

  /**
   * Periodic check: adopted processes are not our children, so no exit event tells us they died;
   * and a process that is alive but no longer answers its health check (hung, deadlocked) is only
   * seen by asking it.
   */
  private superviseAll(): void {
    for (const state of this.states.values()) {
      const id = state.tenantId;
      if (state.desired !== 'running' || this.locks.isLocked(id) || this.restartTimers.has(id)) continue;
      if (isOurProcess(state.process, id)) {
        if (state.status === 'running') this.checkLiveness(state);
        continue;
      }
      this.track(this.locks.run(id, () => this.noteDeath(state, 'process not running')));
    }
  }

  private checkLiveness(state: LocalInstanceState): void {
    const limit = this.options.livenessFailures ?? 3;
    const id = state.tenantId;
    if (limit <= 0 || state.port === null || this.probing.has(id)) return;
    this.probing.add(id);
    // Forgiving: a busy machine must not get a healthy app restarted (and one check runs at a time).
    const timeoutMs = Math.max(1_000, Math.min(5_000, 2 * this.options.superviseIntervalMs));
    this.track(
      probeHttp(this.connectHost(), state.port, this.options.healthPath ?? '/health', timeoutMs)
        .then(async (healthy) => {
          if (healthy) return void this.livenessMisses.delete(id);
          const misses = (this.livenessMisses.get(id) ?? 0) + 1;
          this.livenessMisses.set(id, misses);
          if (misses < limit || this.closed || this.locks.isLocked(id)) return;
          this.livenessMisses.delete(id);
          await this.locks.run(id, async () => {
            if (state.desired !== 'running' || !isOurProcess(state.process, id)) return;
            const reason = `unresponsive: ${misses} health checks failed in a row`;
            this.deps.logger.warn({ tenant_id: id, pid: state.process!.pid }, `tenant instance ${reason}; stopping it`);
            await stopProcessGroup(state.process!.pid, this.options.stopTimeoutMs);
            state.lastError = reason;
            await this.noteDeath(state, reason);
          });
        })
        .finally(() => this.probing.delete(id)),
    );
  }

  private watch(tenantId: string, child: ChildProcess, identity: ProcessIdentity): void {
    this.children.set(tenantId, child);
    child.once('exit', (code, signal) => {
      if (this.closed || this.locks.isLocked(tenantId)) return; // whoever holds the lock is stopping it
      this.track(this.locks.run(tenantId, async () => {
        const state = this.states.get(tenantId);
        if (!state || state.process?.pid !== identity.pid) return;
        await this.noteDeath(state, `exited (${signal ? `signal ${signal}` : `code ${code}`})`);
      }));
    });
  }

  /** Records a dead instance that should run and schedules its restart with exponential backoff. */
  private async noteDeath(state: LocalInstanceState, reason: string): Promise<void> {
    if (this.closed || state.desired !== 'running' || isOurProcess(state.process, state.tenantId) || this.restartTimers.has(state.tenantId)) return;
    const uptime = state.process && state.startedAt ? this.clock.now().getTime() - Date.parse(state.startedAt) : 0;
    state.consecutiveFailures = uptime >= STABLE_AFTER_MS ? 1 : state.consecutiveFailures + 1;
    state.process = null;
    if (state.status !== 'failed') state.status = 'starting';
    state.lastError = state.lastError ?? reason;
    await this.save(state);
    const delay = Math.min(this.options.restartBackoffMs * 2 ** (state.consecutiveFailures - 1), MAX_RESTART_DELAY_MS);
    this.deps.logger.warn({ tenant_id: state.tenantId, reason, restart_in_ms: delay }, 'tenant instance down; restarting');
    await appendRuntimeLog(this.logFile(state), 'warn', `instance ${reason}; restarting in ${delay} ms`);
    const timer = setTimeout(() => {
      this.restartTimers.delete(state.tenantId);
      this.track(this.locks.run(state.tenantId, () => this.restartDead(state.tenantId)));
    }, delay);
    timer.unref();
    this.restartTimers.set(state.tenantId, timer);
  }

  private async restartDead(tenantId: string): Promise<void> {
    const state = this.states.get(tenantId);
    if (this.closed || !state || state.desired !== 'running' || isOurProcess(state.process, tenantId)) return;
    state.restarts += 1;
    try {
      await this.startProcess(state);
      state.lastError = null;
    } catch (err) {
      // The next supervision pass sees it dead again and backs off further.
      this.deps.logger.error({ tenant_id: tenantId, err }, 'restart of tenant instance failed');
    }
  }

  private clearRestart(tenantId: string): void {
    clearTimeout(this.restartTimers.get(tenantId));
    this.restartTimers.delete(tenantId);
  }

  // ---- metrics ----

  private async sampleAll(): Promise<void> {
    const usage = usageByProcessGroup();
    for (const state of [...this.states.values()]) {
      if (isOurProcess(state.process, state.tenantId)) await this.sample(state, usage);
      await rotateIfLarger(this.logFile(state), this.options.logMaxBytes).catch(() => false);
    }
  }

  private async sample(state: LocalInstanceState, usage: Map<number, { cpuTicks: number; rssBytes: number }>): Promise<void> {
    const pid = state.process!.pid;
    const now = Date.now();
    const u = usage.get(pid);
    const base = this.cpuBaseline.get(state.tenantId);
    let cpu: number | null = null;
    if (u && base && base.pid === pid && now > base.at) {
      cpu = Math.max(0, ((u.cpuTicks - base.ticks) / CLOCK_TICKS / ((now - base.at) / 1000)) * 100);
    }
    if (u) this.cpuBaseline.set(state.tenantId, { pid, ticks: u.cpuTicks, at: now });
    const storage = this.deps.storage ? await this.deps.storage.sizeBytes(state.database).catch(() => null) : null;
    let history = this.history.get(state.tenantId);
    if (!history) this.history.set(state.tenantId, (history = new MetricsHistory(this.options.metricsSamples)));
    history.push({
      timestamp: this.clock.now().toISOString(),
      cpu_percent: cpu === null ? null : Math.round(cpu * 100) / 100,
      memory_bytes: u?.rssBytes ?? null,
      storage_bytes: storage,
      // Per-process network counters do not exist without a network namespace per app.
      network_rx_bytes: null,
      network_tx_bytes: null,
    });
  }

  // ---- state ----

  private desiredState(spec: TenantSpec, db: TenantDatabaseInfo, existing: LocalInstanceState | null): LocalInstanceState {
    const dir = this.tenantDir(spec.slug);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: dir,
      LANG: 'C.UTF-8',
      NODE_ENV: 'production',
      HOST: this.options.bindHost,
      LOG_LEVEL: this.options.appLogLevel ?? 'info',
      TENANT_ID: spec.tenantId,
      TENANT_NAME: spec.name,
      TENANT_SLUG: spec.slug,
      TENANT_PLAN: spec.plan,
      TENANT_APP_VERSION: this.options.appVersion,
      DATABASE_URL: db.url,
      DATABASE_SCHEMA: db.schema,
    };
    if (spec.adminEmail) env.ADMIN_EMAIL = spec.adminEmail;
    if (spec.adminPassword) env.ADMIN_PASSWORD = spec.adminPassword;
    if (spec.customPluginRepo) {
      env.CUSTOM_PLUGIN_REPO = spec.customPluginRepo;
      env.ADDONS_DIR = path.join(this.tenantDir(spec.slug), ADDONS_DIRNAME);
    }
    const command = [...this.options.command, tenantMarker(spec.tenantId)];
    const fingerprint = createHash('sha256').update(JSON.stringify({ command, env, version: this.options.appVersion })).digest('hex');
    if (existing?.port) env.PORT = String(existing.port);
    return {
      tenantId: spec.tenantId,
      slug: spec.slug,
      name: spec.name,
      plan: spec.plan,
      databaseStrategy: db.strategy,
      database: { strategy: db.strategy, database: db.database, schema: db.schema },
      desired: 'running',
      status: existing?.status ?? 'starting',
      port: existing?.port ?? null,
      process: existing?.process ?? null,
      command,
      env,
      fingerprint,
      appVersion: this.options.appVersion,
      startedAt: existing?.startedAt ?? null,
      restarts: existing?.restarts ?? 0,
      consecutiveFailures: 0,
      lastError: null,
      updatedAt: this.clock.now().toISOString(),
    };
  }

  private info(state: LocalInstanceState): InstanceInfo {
    const alive = isOurProcess(state.process, state.tenantId);
    const status: InstanceInfo['status'] =
      state.desired === 'stopped' ? 'stopped' : alive ? (state.status === 'running' ? 'running' : 'starting') : state.status === 'failed' ? 'failed' : 'starting';
    return {
      tenant_id: state.tenantId,
      slug: state.slug,
      runtime: 'local',
      status,
      plan: state.plan,
      resources: planResources(state.plan),
      access_url: this.options.accessUrlTemplate.replaceAll('{slug}', state.slug),
      version: state.appVersion,
      endpoint: { kind: 'local', host: this.connectHost(), port: state.port, pid: alive ? state.process!.pid : null },
      started_at: alive ? state.startedAt : null,
      restarts: state.restarts,
      error: status === 'failed' ? state.lastError : null,
    };
  }

  private async save(state: LocalInstanceState): Promise<void> {
    state.updatedAt = this.clock.now().toISOString();
    await this.store.put(state);
  }

  private async require(tenantId: string): Promise<LocalInstanceState> {
    const state = this.states.get(tenantId) ?? (await this.store.get(tenantId));
    if (!state) throw TenantRuntimeException.instanceNotFound(tenantId);
    this.states.set(tenantId, state);
    return state;
  }

  private validate(spec: TenantSpec): void {
    try {
      assertTenantSlug(spec.slug);
      planResources(spec.plan);
    } catch (err) {
      throw new TenantRuntimeException((err as Error).message, 'invalid_spec');
    }
  }

  private tenantDir(slug: string): string {
    return path.join(this.options.runtimeDir, slug);
  }

  private logFile(state: Pick<LocalInstanceState, 'slug'>): string {
    return path.join(this.tenantDir(state.slug), 'app.log');
  }

  /** Where to reach an app bound to the wildcard address. */
  private connectHost(): string {
    const host = this.options.bindHost;
    return host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((err: unknown) => this.deps.logger.error({ err }, 'local runtime background task failed'));
    this.background.add(guarded);
    void guarded.finally(() => this.background.delete(guarded));
  }
}
