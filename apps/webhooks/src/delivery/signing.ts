import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

const PREFIX = 'whsec_';

/** A new Standard Webhooks secret: `whsec_` + base64 of 24 random bytes. */
export function formatSecret(bytes: Buffer): string {
  return `${PREFIX}${bytes.toString('base64')}`;
}

/** The key bytes of a `whsec_…` secret (the spec signs with the base64-decoded part). */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new Error('not a whsec_ secret');
  return Buffer.from(secret.slice(PREFIX.length), 'base64');
}

/**
 * HMAC keys by secret: every request signs, and decoding the base64 secret (and making the key)
 * per request showed in the profile. Bounded: cleared when full (secrets are few per process).
 */
const keys = new Map<string, KeyObject>();

function hmacKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (key === undefined) {
    key = createSecretKey(secretKey(secret));
    if (keys.size >= 10_000) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

/**
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for one secret. The body is hashed as it is
 * sent (a Buffer is not copied into a string first).
 */
export function signature(secret: string, id: string, timestampS: number, body: string | Buffer): string {
  return `v1,${createHmac('sha256', hmacKey(secret)).update(`${id}.${timestampS}.`).update(body).digest('base64')}`;
}

/**
 * The three Standard Webhooks headers of one request. Several secrets (during a rotation's grace
 * period) give several space-separated signatures in one header; a receiver accepts any one.
 */
export function signedHeaders(secrets: readonly string[], id: string, timestampS: number, body: string | Buffer): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': secrets.length === 1 ? signature(secrets[0]!, id, timestampS, body) : secrets.map((s) => signature(s, id, timestampS, body)).join(' '),
  };
}
