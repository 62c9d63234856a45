import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { bootId, findProcessesByArgument, isRunning, listPids, readCmdline, readProcStat } from './proc-fs.js';

export interface ProcessIdentity {
  pid: number;
  startTime: number;
  bootId: string;
}

/** Every tenant process carries this argument, so it can be recognised from /proc alone. */
export const tenantMarker = (tenantId: string) => `--saas-tenant=${tenantId}`;

/**
 * Splits a command template into argv without a shell (so the pid we get is the app's own):
 * whitespace separates; a whole argument in single or double quotes keeps its spaces.
 */
export function splitCommand(command: string): string[] {
  const args: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(command); m; m = re.exec(command)) args.push(m[1] ?? m[2] ?? m[3]!);
  if (!args.length) throw new Error('empty command');
  return args;
}

/** Alive, the same process we started (pid not reused: start time and boot match), and a tenant's. */
export function isOurProcess(identity: ProcessIdentity | null, tenantId: string): boolean {
  if (!identity || identity.bootId !== bootId()) return false;
  const stat = readProcStat(identity.pid);
  if (!isRunning(stat) || stat.startTime !== identity.startTime) return false;
  return readCmdline(identity.pid)?.includes(tenantMarker(tenantId)) ?? false;
}

/** Processes of this tenant, whoever started them (a previous provisioning process, say). */
export function findTenantProcesses(tenantId: string): ProcessIdentity[] {
  const boot = bootId();
  return findProcessesByArgument(tenantMarker(tenantId)).map((s) => ({ pid: s.pid, startTime: s.startTime, bootId: boot }));
}

/**
 * Starts the app detached in its own session and process group, output appended to `logFile`, so
 * it outlives the provisioning process (a crash or a deploy of provisioning leaves tenants up) and
 * can be stopped as a group. The environment is only what the app needs, never provisioning's own.
 */
export function spawnTenantProcess(opts: {
  command: string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
}): { child: ChildProcess; identity: ProcessIdentity } {
  mkdirSync(path.dirname(opts.logFile), { recursive: true, mode: 0o700 });
  const fd = openSync(opts.logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(opts.command[0]!, opts.command.slice(1), {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${opts.command[0]}`);
  const stat = readProcStat(pid);
  // -1 when it died before we could look: it then never counts as alive (see isOurProcess).
  return { child, identity: { pid, startTime: stat?.startTime ?? -1, bootId: bootId() } };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
  } catch {
    return false;
  }
  // kill(0) succeeds for zombies too: the group is alive only while a member really runs.
  if (isRunning(readProcStat(pid))) return true;
  return listPids().some((p) => {
    const stat = readProcStat(p);
    return isRunning(stat) && stat.pgrp === pid;
  });
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

/** SIGTERM to the group, SIGKILL after the timeout; resolves once the group is gone. */
export async function stopProcessGroup(pid: number, timeoutMs: number): Promise<'terminated' | 'killed'> {
  signalGroup(pid, 'SIGTERM');
  if (await waitFor(() => !groupAlive(pid), timeoutMs)) return 'terminated';
  signalGroup(pid, 'SIGKILL');
  await waitFor(() => !groupAlive(pid), 5_000);
  return 'killed';
}
