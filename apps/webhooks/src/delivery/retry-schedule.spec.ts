import { describe, expect, it } from '@jest/globals';
import { nextRetryDelayMs, parseRetryAfter } from './retry-schedule.js';

const schedule = [5, 300, 1800];

describe('nextRetryDelayMs', () => {
  it('follows the schedule with ±20 % jitter and stops at its end', () => {
    expect(nextRetryDelayMs(schedule, 1, null, () => 0.5)).toBe(5_000);
    expect(nextRetryDelayMs(schedule, 2, null, () => 0)).toBe(240_000);
    expect(nextRetryDelayMs(schedule, 3, null, () => 0.999999)).toBeCloseTo(2_160_000, -2);
    expect(nextRetryDelayMs(schedule, 4, null)).toBeNull();
  });

  it('stays within the jitter band for any random value', () => {
    for (let i = 0; i < 200; i++) {
      const d = nextRetryDelayMs(schedule, 2, null)!;
      expect(d).toBeGreaterThanOrEqual(240_000);
      expect(d).toBeLessThanOrEqual(360_000);
    }
  });

  it('honours a longer Retry-After, capped at a day, and never shortens the schedule', () => {
    expect(nextRetryDelayMs(schedule, 1, 60, () => 0.5)).toBe(60_000);
    expect(nextRetryDelayMs(schedule, 1, 999_999, () => 0.5)).toBe(86_400_000);
    expect(nextRetryDelayMs(schedule, 2, 1, () => 0.5)).toBe(300_000);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});
