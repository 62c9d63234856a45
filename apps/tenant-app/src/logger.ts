import { LOG_LEVEL_VALUES, type LogLevelName } from './config.js';

export type Log = (level: Exclude<LogLevelName, 'silent'>, msg: string, fields?: Record<string, unknown>) => void;

/** One JSON line per record on stdout (`level`, `time`, `msg`, then fields): the runtime parses these. */
export function createLog(minimum: LogLevelName, base: Record<string, unknown>, write = (line: string) => process.stdout.write(line)): Log {
  const threshold = LOG_LEVEL_VALUES[minimum];
  return (level, msg, fields = {}) => {
    if (LOG_LEVEL_VALUES[level] < threshold) return;
    write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...base, ...fields })}\n`);
  };
}
