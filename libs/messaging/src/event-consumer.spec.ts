import { describe, expect, it } from '@jest/globals';
import { retryDelay } from './event-consumer.js';

describe('retryDelay', () => {
  it('lies in the upper half of an exponentially growing window', () => {
    for (const [attempt, window] of [
      [1, 100],
      [2, 200],
      [3, 400],
      [5, 1_600],
    ] as const) {
      expect(retryDelay(attempt, 100, 60_000, () => 0)).toBe(window / 2);
      expect(retryDelay(attempt, 100, 60_000, () => 0.999_999)).toBe(window);
      const d = retryDelay(attempt, 100, 60_000);
      expect(d).toBeGreaterThanOrEqual(window / 2);
      expect(d).toBeLessThanOrEqual(window);
    }
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(retryDelay(50, 1_000, 5_000, () => 0.999_999)).toBe(5_000);
    expect(retryDelay(50, 1_000, 5_000, () => 0)).toBe(2_500);
    expect(retryDelay(10_000, 1_000, 60_000, () => 1)).toBe(60_000);
  });

  it('treats attempt 0 or below as the first attempt and is never zero for a positive base', () => {
    expect(retryDelay(0, 100, 1_000, () => 0)).toBe(50);
    expect(retryDelay(-3, 100, 1_000, () => 0)).toBe(50);
    expect(retryDelay(1, 1, 1_000, () => 0)).toBeGreaterThan(0);
  });
});
