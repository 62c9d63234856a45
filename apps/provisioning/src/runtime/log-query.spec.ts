import { describe, expect, it } from '@jest/globals';
import { parseLogLine, queryLogs } from './log-query.js';
import type { LogEntry } from './tenant-runtime.js';

describe('parseLogLine', () => {
  it('reads JSON lines with string or pino numeric levels', () => {
    expect(parseLogLine('{"level":"warn","time":"2025-01-01T00:00:00Z","msg":"careful","user":7}', 'app', null)).toEqual({
      timestamp: '2025-01-01T00:00:00.000Z',
      level: 'warn',
      message: 'careful',
      source: 'app',
      fields: { user: 7 },
    });
    expect(parseLogLine('{"level":50,"time":1735689600000,"message":"bad"}', 'app', null)).toMatchObject({ level: 'error', message: 'bad', timestamp: '2025-01-01T00:00:00.000Z' });
  });

  it('recognises Odoo lines and treats anything else as info stamped with the fallback time', () => {
    expect(parseLogLine('2025-02-03 04:05:06,789 12 WARNING db odoo.http: slow', 'pod', null)).toMatchObject({
      level: 'warn',
      timestamp: '2025-02-03T04:05:06.789Z',
      message: 'db odoo.http: slow',
    });
    expect(parseLogLine('    at Foo (bar.js:1:1)', 'app', '2025-01-01T00:00:00.000Z')).toEqual({
      timestamp: '2025-01-01T00:00:00.000Z',
      level: 'info',
      message: '    at Foo (bar.js:1:1)',
      source: 'app',
    });
    expect(parseLogLine('{not json', 'app', null).level).toBe('info');
  });
});

describe('queryLogs', () => {
  const entry = (t: number, level: LogEntry['level'], message: string): LogEntry => ({ timestamp: new Date(t * 1000).toISOString(), level, message, source: 'app' });
  const entries = [entry(1, 'debug', 'a'), entry(2, 'info', 'b visit'), entry(3, 'warn', 'c'), entry(4, 'error', 'd visit'), entry(5, 'info', 'e')];

  it('filters by minimum level, time range and search, newest first, one page at a time', () => {
    expect(queryLogs(entries, { level: 'warn', page: 1, page_size: 10 }).results.map((e) => e.message)).toEqual(['d visit', 'c']);
    expect(queryLogs(entries, { from: new Date(2000), to: new Date(4000), page: 1, page_size: 10 }).count).toBe(3);
    expect(queryLogs(entries, { search: 'VISIT', page: 1, page_size: 10 }).results.map((e) => e.message)).toEqual(['d visit', 'b visit']);
    const page2 = queryLogs(entries, { page: 2, page_size: 2 });
    expect(page2).toEqual({ count: 5, results: [entries[2], entries[1]] });
  });
});
