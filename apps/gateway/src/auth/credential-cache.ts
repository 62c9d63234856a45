import { hash } from 'node:crypto';

/** The cache key of a credential: its SHA-256, so the cache never holds a usable token or key. */
export function credentialDigest(credential: string): string {
  return hash('sha256', credential, 'base64url');
}

interface Entry<T> {
  value: T;
  expiresAtMs: number;
}

/**
 * A bounded map of verified (or refused) credentials until their own expiry. When full, the oldest
 * entry goes (Map keeps insertion order), so memory stays flat under a flood of distinct tokens.
 */
export class CredentialCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly maxEntries: number) {}

  get(digest: string, now: number): T | undefined {
    const entry = this.entries.get(digest);
    if (!entry) return undefined;
    if (entry.expiresAtMs > now) return entry.value;
    this.entries.delete(digest);
    return undefined;
  }

  set(digest: string, value: T, expiresAtMs: number): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(digest)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(digest, { value, expiresAtMs });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
