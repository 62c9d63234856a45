import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Reads of Linux's /proc: identity (start time, command line) and usage (CPU ticks, RSS) of
 * processes. The local runtime uses the start time to tell "our process, still alive" from "a new
 * process that reused the pid" after the provisioning service restarts.
 */
export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Since boot, in clock ticks: with the boot id, a process's identity. */
  startTime: number;
  rssBytes: number;
}

function getconf(name: string, fallback: number): number {
  try {
    const v = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    return Number.isFinite(v) && v > 0 ? v : fallback;
  } catch {
    return fallback;
  }
}

export const CLOCK_TICKS = getconf('CLK_TCK', 100);
const PAGE_SIZE = getconf('PAGESIZE', 4096);

export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

export function readProcStat(pid: number): ProcStat | null {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(rest[n - 3]);
  return {
    pid,
    state: rest[0] ?? '?',
    ppid: field(4),
    pgrp: field(5),
    cpuTicks: field(14) + field(15),
    startTime: field(22),
    rssBytes: field(24) * PAGE_SIZE,
  };
}

export function readCmdline(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((a) => a.length > 0);
  } catch {
    return null;
  }
}

/** Zombies and dead processes are not alive. */
export function isRunning(stat: ProcStat | null): stat is ProcStat {
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

export function listPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** Live processes whose command line contains `marker` as one argument. */
export function findProcessesByArgument(marker: string): ProcStat[] {
  const found: ProcStat[] = [];
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    const cmd = readCmdline(pid);
    if (!cmd?.includes(marker)) continue;
    const stat = readProcStat(pid);
    if (isRunning(stat)) found.push(stat);
  }
  return found;
}

/** CPU ticks and RSS summed per process group, from one pass over /proc. */
export function usageByProcessGroup(): Map<number, { cpuTicks: number; rssBytes: number }> {
  const usage = new Map<number, { cpuTicks: number; rssBytes: number }>();
  for (const pid of listPids()) {
    const stat = readProcStat(pid);
    if (!isRunning(stat)) continue;
    const u = usage.get(stat.pgrp) ?? { cpuTicks: 0, rssBytes: 0 };
    u.cpuTicks += stat.cpuTicks;
    u.rssBytes += stat.rssBytes;
    usage.set(stat.pgrp, u);
  }
  return usage;
}
