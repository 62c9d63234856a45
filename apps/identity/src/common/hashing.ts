import { createHash, timingSafeEqual } from 'node:crypto';

/** Opaque tokens (refresh, verification, reset, API key secrets) are stored as their SHA-256 only. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Equal-length hex digests compared in constant time. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
