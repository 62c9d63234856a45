export const REDACTED = '[REDACTED]';
const SECRET_KEY = /password|secret|token|key|hash/i;

/** A copy of `value` with every member whose name looks secret replaced by [REDACTED], at any depth. */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (depth > 32) return REDACTED as T; // pathological nesting: keep nothing rather than risk a leak
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) ? REDACTED : redactSecrets(v, depth + 1);
    }
    return out as T;
  }
  return value;
}
