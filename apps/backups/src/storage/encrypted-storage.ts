import { createCipheriv, createDecipheriv, randomBytes, type CipherGCM, type DecipherGCM } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { BackupStorage } from './backup-storage.js';

const MAGIC = Buffer.from('SBK1');
const KEY_ID_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + KEY_ID_BYTES + IV_BYTES;
/** What encryption adds to every object: the header before, the GCM tag after. */
export const ENCRYPTION_OVERHEAD = HEADER_BYTES + TAG_BYTES;

export interface BackupKey {
  id: string;
  key: Buffer;
}

/** `id:base64key,…`, newest first: the first encrypts, all decrypt (rotation). Keys are 32 bytes (AES-256). */
export function parseKeyRing(text: string): BackupKey[] {
  const keys = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf(':');
      const id = entry.slice(0, at);
      const key = Buffer.from(entry.slice(at + 1), 'base64');
      if (at <= 0 || !/^[A-Za-z0-9_-]{1,16}$/.test(id)) throw new Error('each key is `<id>:<base64 key>` with an id of 1–16 letters, digits, - or _');
      if (key.length !== 32) throw new Error(`key "${id}" is not 32 bytes (AES-256)`);
      return { id, key };
    });
  if (!keys.length) throw new Error('no keys');
  return keys;
}

class Encrypt extends Transform {
  private header = false;
  bytes = 0;

  constructor(
    private readonly cipher: CipherGCM,
    private readonly head: Buffer,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (!this.header) {
      this.header = true;
      this.push(this.head);
    }
    done(null, this.cipher.update(chunk));
  }

  override _flush(done: TransformCallback): void {
    if (!this.header) this.push(this.head);
    this.push(this.cipher.final());
    done(null, this.cipher.getAuthTag());
  }
}

class Decrypt extends Transform {
  private pending = Buffer.alloc(0);
  private decipher?: DecipherGCM;

  constructor(private readonly keys: BackupKey[]) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    try {
      if (!this.decipher) {
        if (this.pending.length < HEADER_BYTES) return done();
        if (!this.pending.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not an encrypted backup object');
        const id = this.pending.subarray(MAGIC.length, MAGIC.length + KEY_ID_BYTES).toString('utf8').replace(/\0+$/, '');
        const key = this.keys.find((k) => k.id === id);
        if (!key) throw new Error(`encrypted with key "${id}", which is not in BACKUP_ENCRYPTION_KEYS`);
        this.decipher = createDecipheriv('aes-256-gcm', key.key, this.pending.subarray(MAGIC.length + KEY_ID_BYTES, HEADER_BYTES));
        this.pending = this.pending.subarray(HEADER_BYTES);
      }
      // The last TAG_BYTES may be the tag: hold them back until the end.
      if (this.pending.length > TAG_BYTES) {
        const body = this.pending.subarray(0, this.pending.length - TAG_BYTES);
        this.pending = this.pending.subarray(this.pending.length - TAG_BYTES);
        this.push(this.decipher.update(body));
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (!this.decipher || this.pending.length !== TAG_BYTES) throw new Error('encrypted backup object is truncated');
      this.decipher.setAuthTag(this.pending);
      done(null, this.decipher.final());
    } catch (err) {
      // (Not `instanceof Error`: crypto's errors may come from another realm.)
      const message = String((err as { message?: unknown })?.message ?? err);
      done(/authenticate/i.test(message) ? new Error('encrypted backup object fails its authentication tag (altered or wrong key)') : (err as Error));
    }
  }
}

/**
 * Encryption at rest (AES-256-GCM) around any BackupStorage: every object is
 * `SBK1 | key id (16) | iv (12) | ciphertext | tag (16)`, encrypted with the ring's newest key and
 * read with whichever key its header names, so keys rotate without re-encrypting. The key never
 * goes into the archive. Sizes are reported as the plaintext's, so callers see no difference.
 */
export class EncryptedBackupStorage implements BackupStorage {
  constructor(
    private readonly inner: BackupStorage,
    private readonly keys: BackupKey[],
  ) {}

  get kind(): BackupStorage['kind'] {
    return this.inner.kind;
  }

  /** What is stored is ciphertext: reading it back (decrypting, checking the tag, then the plaintext's sha256) is the proof. */
  readonly putVerifies = false;

  async put(key: string, body: Readable): Promise<{ size: number }> {
    const current = this.keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const id = Buffer.alloc(KEY_ID_BYTES);
    id.write(current.id, 'utf8');
    const encrypt = new Encrypt(createCipheriv('aes-256-gcm', current.key, iv), Buffer.concat([MAGIC, id, iv]));
    body.once('error', (err) => encrypt.destroy(err));
    const stored = await this.inner.put(key, body.pipe(encrypt));
    return { size: stored.size - ENCRYPTION_OVERHEAD };
  }

  async get(key: string): Promise<Readable> {
    const source = await this.inner.get(key);
    const decrypt = new Decrypt(this.keys);
    source.once('error', (err) => decrypt.destroy(err));
    return source.pipe(decrypt);
  }

  async stat(key: string): Promise<{ size: number } | null> {
    const s = await this.inner.stat(key);
    return s ? { size: Math.max(0, s.size - ENCRYPTION_OVERHEAD) } : null;
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  deletePrefix(prefix: string): Promise<number> {
    return this.inner.deletePrefix(prefix);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
