import { LOG_LEVELS, type LogEntry, type LogLevel, type LogPage, type LogQuery } from './tenant-runtime.js';

const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const PINO_NUMERIC: Record<number, LogLevel> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const ALIASES: Record<string, LogLevel> = { warning: 'warn', critical: 'fatal', crit: 'fatal', err: 'error', notice: 'info', verbose: 'debug' };
// Odoo's default format: `2024-05-01 10:00:00,123 42 INFO dbname odoo.module: message`.
const ODOO_LINE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) \d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (.*)$/;

export function normaliseLevel(value: unknown): LogLevel | null {
  if (typeof value === 'number') return PINO_NUMERIC[value] ?? null;
  if (typeof value !== 'string') return null;
  const v = value.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(v)) return v as LogLevel;
  return ALIASES[v] ?? null;
}

function toIso(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * One line of an instance's output. JSON lines give level, time and message (`msg` or `message`);
 * Odoo's own format is recognised; anything else is an `info` line stamped with `fallbackTime`
 * (the time of the line before it, or the time the runtime read it).
 */
export function parseLogLine(line: string, source: string, fallbackTime: string | null): LogEntry {
  const trimmed = line.trimEnd();
  if (trimmed.startsWith('{')) {
    try {
      const obj = JSON.parse(trimmed) as Record<string, unknown>;
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
        const { level, time, timestamp, msg, message, ...fields } = obj;
        return {
          timestamp: toIso(time) ?? toIso(timestamp) ?? fallbackTime,
          level: normaliseLevel(level) ?? 'info',
          message: typeof msg === 'string' ? msg : typeof message === 'string' ? message : '',
          source,
          fields,
        };
      }
    } catch {
      // not JSON after all: a plain line
    }
  }
  const odoo = ODOO_LINE.exec(trimmed);
  if (odoo) {
    return {
      timestamp: toIso(`${odoo[1]!.replace(' ', 'T')}.${odoo[2]}Z`) ?? fallbackTime,
      level: normaliseLevel(odoo[3]) ?? 'info',
      message: odoo[4]!,
      source,
    };
  }
  return { timestamp: fallbackTime, level: 'info', message: trimmed, source };
}

/** Level (this and above), time range, case-insensitive search; newest first; one page. */
export function queryLogs(entries: LogEntry[], query: LogQuery): LogPage {
  const min = query.level ? RANK[query.level] : 0;
  const from = query.from?.getTime();
  const to = query.to?.getTime();
  const search = query.search?.toLowerCase();
  const matching = entries.filter((e) => {
    if (RANK[e.level] < min) return false;
    if (from !== undefined || to !== undefined) {
      if (!e.timestamp) return false;
      const t = Date.parse(e.timestamp);
      if (from !== undefined && t < from) return false;
      if (to !== undefined && t > to) return false;
    }
    if (search && !e.message.toLowerCase().includes(search) && !(e.fields && JSON.stringify(e.fields).toLowerCase().includes(search))) {
      return false;
    }
    return true;
  });
  // Stable: entries arrive oldest first, so reversing keeps same-timestamp lines in reverse write order.
  const newestFirst = matching
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (b.e.timestamp ?? '').localeCompare(a.e.timestamp ?? '') || b.i - a.i)
    .map(({ e }) => e);
  const start = (query.page - 1) * query.page_size;
  return { count: matching.length, results: newestFirst.slice(start, start + query.page_size) };
}
