import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface SupervisedSpec {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
}

/** What a process sends over IPC once it serves (see announceReady in @saas/service-kit). */
export interface ReadyMessage {
  type: 'ready';
  name: string;
  [detail: string]: unknown;
}

type LineSink = (name: string, line: string) => void;

/**
 * Runs the platform's processes: starts each, waits until it says it is ready, restarts one that
 * crashes (with backoff, at most 5 times a minute), and stops them in the order given.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly restarts = new Map<string, number[]>();
  private stopping = false;

  constructor(private readonly sink: LineSink) {
    // If the launcher dies, do not leave orphans behind.
    process.on('exit', () => {
      for (const child of this.children.values()) child.kill('SIGKILL');
    });
  }

  start(spec: SupervisedSpec, timeoutMs = 60_000): Promise<ReadyMessage> {
    // Own process group: a Ctrl-C in the terminal reaches the launcher only, which stops
    // everything in order (gateway first, so in-flight requests can still reach the services).
    const child = spawn(process.execPath, ['--enable-source-maps', spec.script], {
      env: spec.env,
      // The IPC channel carries the ready message, and its closing tells children the launcher died.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    this.children.set(spec.name, child);
    return new Promise((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => reject(new Error(`${spec.name} did not become ready within ${timeoutMs / 1000}s`)), timeoutMs);
      const onLine = (line: string) => this.sink(spec.name, line);
      child.on('message', (message: unknown) => {
        const m = message as Partial<ReadyMessage>;
        if (!ready && m?.type === 'ready') {
          ready = true;
          clearTimeout(timer);
          resolve(m as ReadyMessage);
        }
      });
      createInterface({ input: child.stdout! }).on('line', onLine);
      createInterface({ input: child.stderr! }).on('line', onLine);
      child.once('exit', (code, signal) => {
        this.children.delete(spec.name);
        if (!ready) {
          clearTimeout(timer);
          reject(new Error(`${spec.name} exited (${signal ?? code}) before it was ready`));
          return;
        }
        if (this.stopping) return;
        this.restart(spec, code, signal);
      });
    });
  }

  private restart(spec: SupervisedSpec, code: number | null, signal: NodeJS.Signals | null): void {
    const now = Date.now();
    const recent = (this.restarts.get(spec.name) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= 5) {
      this.sink('platform', JSON.stringify({ level: 'error', msg: `${spec.name} keeps crashing (${signal ?? code}); not restarting it again` }));
      return;
    }
    recent.push(now);
    this.restarts.set(spec.name, recent);
    const delay = 500 * 2 ** (recent.length - 1);
    this.sink('platform', JSON.stringify({ level: 'warn', msg: `${spec.name} exited (${signal ?? code}); restarting in ${delay} ms` }));
    setTimeout(() => {
      if (!this.stopping) this.start(spec).catch((err) => this.sink('platform', JSON.stringify({ level: 'error', msg: String(err.message) })));
    }, delay).unref();
  }

  /** SIGTERM to each group of names in turn, waiting for it to exit (SIGKILL after `graceMs`). */
  async stop(order: string[][], graceMs = 15_000): Promise<void> {
    this.stopping = true;
    for (const group of order) {
      await Promise.all(group.map((name) => this.stopOne(name, graceMs)));
    }
  }

  private stopOne(name: string, graceMs: number): Promise<void> {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

const LEVEL_COLORS: Record<string, string> = { fatal: '\x1b[35m', error: '\x1b[31m', warn: '\x1b[33m', info: '\x1b[32m', debug: '\x1b[90m', trace: '\x1b[90m' };

/** A readable one-line rendering of a JSON log line for a terminal. */
export function prettyLine(name: string, line: string, color: boolean): string {
  if (!line.startsWith('{')) return `${name.padEnd(12)} ${line}`;
  try {
    const { level, time, msg, service: _s, pid: _p, hostname: _h, context, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const lvl = String(level ?? 'info');
    const t = typeof time === 'string' ? time.slice(11, 19) : new Date().toISOString().slice(11, 19);
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    const tag = color ? `${LEVEL_COLORS[lvl] ?? ''}${lvl.toUpperCase().padEnd(5)}\x1b[0m` : lvl.toUpperCase().padEnd(5);
    return `${t} ${tag} ${name.padEnd(12)} ${context ? `[${context}] ` : ''}${msg ?? ''}${extra}`;
  } catch {
    return `${name.padEnd(12)} ${line}`;
  }
}
