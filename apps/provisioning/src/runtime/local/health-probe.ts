import { request } from 'node:http';

/** One GET; true on a 2xx within the timeout. */
export function probeHttp(host: string, port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

export class HealthTimeoutError extends Error {}
export class ProcessExitedError extends Error {}

/**
 * Polls until healthy. Gives up early when `isAlive` says the process is gone, so a crashing app
 * fails in milliseconds rather than after the whole timeout.
 */
export async function waitUntilHealthy(opts: {
  host: string;
  port: number;
  path: string;
  timeoutMs: number;
  isAlive: () => boolean;
  intervalMs?: number;
}): Promise<number> {
  const started = Date.now();
  const interval = opts.intervalMs ?? 50;
  for (;;) {
    if (!opts.isAlive()) throw new ProcessExitedError('the process exited before it became healthy');
    if (await probeHttp(opts.host, opts.port, opts.path, Math.min(1_000, opts.timeoutMs))) return Date.now() - started;
    if (Date.now() - started >= opts.timeoutMs) throw new HealthTimeoutError(`not healthy after ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
