import { describe, expect, it } from '@jest/globals';
import { assertTimezone, InvalidSchedule, nextRun, toCron } from './schedule-expression.js';

describe('schedule expressions', () => {
  it.each([
    ['hourly', '0 * * * *'],
    ['daily 02:00', '0 2 * * *'],
    ['Daily  23:45', '45 23 * * *'],
    ['weekly mon 03:30', '30 3 * * 1'],
    ['weekly sunday 00:00', '0 0 * * 0'],
    ['*/15 * * * *', '*/15 * * * *'],
  ])('reads %s as %s', (schedule, cron) => {
    expect(toCron(schedule)).toBe(cron);
  });

  it.each(['daily 25:00', 'daily 2am', 'weekly funday 01:00', '61 * * * *', 'every day', '* * * *'])('refuses %s', (schedule) => {
    expect(() => toCron(schedule)).toThrow(InvalidSchedule);
  });

  it('computes the next run in the schedule’s time zone, strictly after the given time', () => {
    const at = new Date('2026-12-01T10:00:00Z');
    expect(nextRun('0 2 * * *', 'UTC', at).toISOString()).toBe('2026-12-02T02:00:00.000Z');
    expect(nextRun('0 2 * * *', 'Europe/Paris', at).toISOString()).toBe('2026-12-02T01:00:00.000Z');
    expect(nextRun('0 10 * * *', 'UTC', at).toISOString()).toBe('2026-12-02T10:00:00.000Z');
  });

  it('knows IANA time zones from anything else', () => {
    expect(() => assertTimezone('America/New_York')).not.toThrow();
    expect(() => assertTimezone('Mars/Olympus')).toThrow(InvalidSchedule);
  });
});
