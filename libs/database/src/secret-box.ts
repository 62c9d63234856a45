import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encrypts secrets stored in a column (AES-256-GCM, random 96-bit IV, authenticated). The stored
 * form `v1:<key id>:<iv>:<tag>:<ciphertext>` names the key, so keys can be rotated: new writes use
 * the first key, reads accept any configured one.
 */
export class SecretBox {
  private readonly keys: Array<{ id: string; key: Buffer }>;

  /** `secrets`: key material strings, newest first (each is hashed to 32 bytes). */
  constructor(secrets: string[]) {
    if (secrets.length === 0 || secrets.some((s) => s.length < 16)) {
      throw new Error('SecretBox needs at least one key of 16 or more characters');
    }
    this.keys = secrets.map((s) => {
      const key = createHash('sha256').update(s).digest();
      return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
    });
  }

  seal(plaintext: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
  }

  open(sealed: string): string {
    const [version, id, iv, tag, data] = sealed.split(':');
    if (version !== 'v1' || !id || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
    const entry = this.keys.find((k) => k.id === id);
    if (!entry) throw new Error(`no key ${id} to open this secret (was a key removed?)`);
    const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}
