import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

const STDERR_KEEP = 4_000;

/** A child process whose stdout is the data (a dump, a tar stream); `done` settles with its exit. */
export interface ChildStream {
  stdout: Readable;
  done: Promise<void>;
  kill(): void;
}

function baseEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', ...extra };
}

function exitOf(name: string, child: ReturnType<typeof spawn>, stderr: () => string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`${name} could not run: ${err.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${name} exited ${code ?? signal}${stderr() ? `: ${stderr().trim()}` : ''}`));
    });
  });
}

function collect(child: ReturnType<typeof spawn>): () => string {
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-STDERR_KEEP);
  });
  return () => err;
}

/** Runs `command` and streams its stdout; never buffers it. */
export function spawnReader(name: string, command: string, args: string[], env: Record<string, string> = {}): ChildStream {
  const child = spawn(command, args, { env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = collect(child);
  const done = exitOf(name, child, stderr);
  done.catch(() => undefined); // observed by the caller; never an unhandled rejection
  return { stdout: child.stdout!, done, kill: () => void child.kill('SIGKILL') };
}

/** Runs `command`, which reads what it needs itself (a file); resolves once it exited 0. */
export function spawnRun(name: string, command: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  const child = spawn(command, args, { env: baseEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
  return exitOf(name, child, collect(child));
}

/** Runs `command` with `input` piped to its stdin; resolves once it exited 0. */
export async function spawnWriter(name: string, command: string, args: string[], input: Readable, env: Record<string, string> = {}): Promise<void> {
  const child = spawn(command, args, { env: baseEnv(env), stdio: ['pipe', 'ignore', 'pipe'] });
  const stderr = collect(child);
  const done = exitOf(name, child, stderr);
  const stdin = child.stdin as Writable;
  // A child that dies closes its stdin; its exit code tells why, not the EPIPE.
  stdin.on('error', () => undefined);
  let inputError: Error | null = null;
  input.once('error', (err) => {
    inputError = err;
    child.kill('SIGKILL');
  });
  input.pipe(stdin);
  try {
    await done;
  } catch (err) {
    throw inputError ?? err;
  }
  if (inputError) throw inputError;
}
