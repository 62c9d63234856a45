import { appendFile, copyFile, open, stat, truncate } from 'node:fs/promises';
import { parseLogLine } from '../log-query.js';
import type { LogEntry } from '../tenant-runtime.js';

/** The last `maxBytes` of a file, starting at a line boundary. */
async function tail(file: string, maxBytes: number): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } finally {
    await handle.close();
  }
}

/**
 * Entries of an instance's log files, oldest first (rotated generation first). Lines carry their
 * own time when structured; others inherit the time of the line before (a stack trace belongs to
 * the record above it) or, at the very top, the file's modification time.
 */
export async function readLogEntries(files: string[], maxBytes: number): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  let last: string | null = null;
  for (const file of files) {
    const text = await tail(file, maxBytes);
    if (!text) continue;
    last ??= (await stat(file)).mtime.toISOString();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const entry = parseLogLine(line, 'app', last);
      if (entry.fields && 'runtime' in entry.fields) entry.source = 'runtime';
      last = entry.timestamp ?? last;
      entries.push(entry);
    }
  }
  return entries;
}

/** Copy-then-truncate: the app keeps writing (O_APPEND) to the same file without a reopen. */
export async function rotateIfLarger(file: string, maxBytes: number): Promise<boolean> {
  try {
    if ((await stat(file)).size <= maxBytes) return false;
  } catch {
    return false;
  }
  await copyFile(file, `${file}.1`);
  await truncate(file, 0);
  return true;
}

/** The runtime's own notes (crash, restart) go into the same log, marked `runtime`. */
export async function appendRuntimeLog(file: string, level: string, msg: string, fields: Record<string, unknown> = {}): Promise<void> {
  await appendFile(file, `${JSON.stringify({ level, time: new Date().toISOString(), msg, runtime: 'local', ...fields })}\n`).catch(() => undefined);
}
