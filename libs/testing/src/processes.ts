import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (works from libs/testing/src in Jest and from dist/libs/testing/src when built). */
export const REPO_ROOT = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const parts = here.split(path.sep);
  const i = parts.lastIndexOf('libs');
  const root = parts.slice(0, i).join(path.sep);
  return root.endsWith(`${path.sep}dist`) ? path.dirname(root) : root;
})();

export function distPath(...segments: string[]): string {
  return path.join(REPO_ROOT, 'dist', ...segments);
}

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  /** Resolves when a line of output matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts a compiled platform process (`npm test` builds first) with the given environment and
 * collects its output, so tests can wait for "ready", kill it with any signal, and read its logs.
 */
export function startProcess(name: string, script: string, env: Record<string, string>, args: string[] = [], nodeArgs: string[] = []): ManagedProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', ...nodeArgs, script, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    // An IPC channel: platform processes stop themselves when it closes (the test runner died).
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  const waiters: Array<{ re: RegExp; resolve: (line: string) => void }> = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of [...waiters]) {
      const line = out.split('\n').find((l) => w.re.test(l));
      if (line) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return {
    name,
    child,
    exited,
    output: () => out,
    waitForOutput(re, timeoutMs = 30_000) {
      const line = out.split('\n').find((l) => re.test(l));
      if (line) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no output matching ${re} within ${timeoutMs} ms. Output:\n${out.slice(-4000)}`)), timeoutMs);
        const waiter = {
          re,
          resolve: (l: string) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        waiters.push(waiter);
        void exited.then((code) => {
          if (waiters.includes(waiter)) {
            clearTimeout(timer);
            reject(new Error(`${name} exited (${code}) before printing ${re}. Output:\n${out.slice(-4000)}`));
          }
        });
      });
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * Readiness is detected from the service's info-level "ready" line, so the log level must not be
 * above info. (`TestEnv.env()` sets LOG_LEVEL=warn, which used to override the default here and made
 * every start wait for a line that was never printed.) debug/trace are kept.
 */
export function withReadyLogLevel(env: Record<string, string>): Record<string, string> {
  const verbose = env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace';
  return { ...env, LOG_LEVEL: verbose ? env.LOG_LEVEL! : 'info' };
}

/** Starts one platform service from dist and waits until it reports ready. */
export async function startService(service: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<ManagedProcess> {
  const proc = startProcess(service, distPath('apps', service, 'src', 'main.js'), withReadyLogLevel(env), [], nodeArgs);
  await proc.waitForOutput(new RegExp(`"${service} service ready"|${service} service ready`), 30_000);
  return proc;
}

/** Pids of the processes on this machine whose command line contains `marker` (read from /proc). */
export function processesWithArgument(marker: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}
