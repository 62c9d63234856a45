/** The longest `Retry-After` honoured. */
export const MAX_RETRY_AFTER_S = 86_400;

/**
 * When to try a failed delivery again. `schedule[n]` is the delay (seconds) after the (n+1)-th failed
 * attempt; past its end the delivery has failed for good. Each delay gets ±20 % jitter so that the
 * deliveries of a burst do not all come back at once. A `Retry-After` of a 429/503 is honoured when it
 * asks for longer (capped at a day, so no receiver parks a message for ever).
 */
export function nextRetryDelayMs(schedule: readonly number[], failedAttempts: number, retryAfterS: number | null, random: () => number = Math.random): number | null {
  if (failedAttempts < 1 || failedAttempts > schedule.length) return null;
  const base = schedule[failedAttempts - 1]! * 1000;
  const jittered = Math.round(base * (0.8 + random() * 0.4));
  if (retryAfterS === null) return jittered;
  return Math.max(jittered, Math.min(retryAfterS, MAX_RETRY_AFTER_S) * 1000);
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110 § 10.2.3); null when absent or bad. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}
