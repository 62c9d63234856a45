import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startS3Server } from '../../test/s3-server.js';
import { digestStream } from '../dumps/hashing.js';
import { StorageObjectMissing, type BackupStorage } from './backup-storage.js';
import { EncryptedBackupStorage, ENCRYPTION_OVERHEAD, parseKeyRing } from './encrypted-storage.js';
import { FilesystemBackupStorage } from './filesystem-storage.js';
import { S3BackupStorage } from './s3-storage.js';

const MiB = 1024 * 1024;

/** `total` pseudo-random bytes in 1 MiB chunks, generated as read (never whole in memory); fails after `failAfter` bytes if set. */
function generated(total: number, seed: string, failAfter?: number): { stream: Readable; sha256: Promise<string> } {
  const hash = createHash('sha256');
  let sent = 0;
  let resolveHash!: (h: string) => void;
  const sha256 = new Promise<string>((r) => (resolveHash = r));
  const stream = new Readable({
    read() {
      if (failAfter !== undefined && sent >= failAfter) {
        this.destroy(new Error('source broke mid-way'));
        return;
      }
      if (sent >= total) {
        resolveHash(hash.digest('hex'));
        this.push(null);
        return;
      }
      const n = Math.min(MiB, total - sent);
      const chunk = createHash('sha512').update(`${seed}:${sent}`).digest();
      const buf = Buffer.alloc(n);
      for (let i = 0; i < n; i += chunk.length) chunk.copy(buf, i);
      hash.update(buf);
      sent += n;
      this.push(buf);
    },
  });
  return { stream, sha256 };
}

type Subject = { name: string; storage: BackupStorage; close(): Promise<void> };

async function filesystem(): Promise<Subject> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fs-storage-'));
  return { name: 'filesystem', storage: new FilesystemBackupStorage(dir), close: () => rm(dir, { recursive: true, force: true }) };
}

async function s3(): Promise<Subject> {
  const server = await startS3Server('backups-test');
  const storage = new S3BackupStorage({
    bucket: 'backups-test',
    prefix: 'platform/',
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    partSize: 5 * MiB,
  });
  return {
    name: 's3',
    storage,
    close: async () => {
      await storage.close();
      await server.close();
    },
  };
}

const keyA = `a1:${randomBytes(32).toString('base64')}`;
const keyB = `b2:${randomBytes(32).toString('base64')}`;

async function encrypted(): Promise<Subject> {
  const inner = await filesystem();
  return { name: 'encrypted', storage: new EncryptedBackupStorage(inner.storage, parseKeyRing(keyA)), close: inner.close };
}

describe.each([['filesystem', filesystem], ['s3 (a real s3rver)', s3], ['filesystem, encrypted (AES-256-GCM)', encrypted]])('BackupStorage: %s', (label, make) => {
  let subject: Subject;
  const run = randomBytes(3).toString('hex');

  beforeAll(async () => {
    subject = await make();
  });

  afterAll(async () => {
    await subject?.close();
  });

  it('stores a stream larger than several parts and gives back exactly its bytes', async () => {
    const { storage } = subject;
    const src = generated(17 * MiB + 123, run);
    const stored = await storage.put(`t-${run}/b1/database.dump`, src.stream);
    expect(stored.size).toBe(17 * MiB + 123);
    expect(await storage.stat(`t-${run}/b1/database.dump`)).toEqual({ size: 17 * MiB + 123 });
    const back = await digestStream(await storage.get(`t-${run}/b1/database.dump`));
    expect(back).toEqual({ size: 17 * MiB + 123, sha256: await src.sha256 });
  }, 60_000);

  it('leaves nothing under the key when the source fails mid-way', async () => {
    const { storage } = subject;
    const src = generated(12 * MiB, run, 6 * MiB);
    await expect(storage.put(`t-${run}/b2/database.dump`, src.stream)).rejects.toThrow(/source broke/);
    expect(await storage.stat(`t-${run}/b2/database.dump`)).toBeNull();
    await expect(storage.get(`t-${run}/b2/database.dump`)).rejects.toBeInstanceOf(StorageObjectMissing);
  }, 60_000);

  it('replaces on a second put, and deletes one object or a whole backup folder, idempotently', async () => {
    const { storage } = subject;
    await storage.put(`t-${run}/b3/manifest.json`, Readable.from([Buffer.from('first')]));
    await storage.put(`t-${run}/b3/manifest.json`, Readable.from([Buffer.from('second!')]));
    await storage.put(`t-${run}/b3/files.tar`, Readable.from([Buffer.from('tar')]));
    await storage.put(`t-${run}/b30/files.tar`, Readable.from([Buffer.from('neighbour')]));
    expect(await storage.stat(`t-${run}/b3/manifest.json`)).toEqual({ size: 7 });
    await storage.delete(`t-${run}/b3/files.tar`);
    await storage.delete(`t-${run}/b3/files.tar`);
    expect(await storage.stat(`t-${run}/b3/files.tar`)).toBeNull();
    expect(await storage.deletePrefix(`t-${run}/b3/`)).toBeGreaterThanOrEqual(1);
    expect(await storage.deletePrefix(`t-${run}/b3/`)).toBe(0);
    expect(await storage.stat(`t-${run}/b3/manifest.json`)).toBeNull();
    // `b3/` is a folder, not a string prefix: `b30` stays.
    expect(await storage.stat(`t-${run}/b30/files.tar`)).toEqual({ size: 9 });
  });

  it('gives a tool the stored file itself only where it holds the bytes as written, and is read back wherever its put is not the proof', async () => {
    const { storage } = subject;
    const body = Buffer.from('a dump, byte for byte');
    await storage.put(`t-${run}/b4/database.dump`, Readable.from([body]));
    if (label === 'filesystem') {
      expect(storage.putVerifies).toBe(true);
      expect(await readFile(await storage.localFile!(`t-${run}/b4/database.dump`))).toEqual(body);
      await expect(storage.localFile!(`t-${run}/b4/files.tar`)).rejects.toBeInstanceOf(StorageObjectMissing);
    } else {
      // s3: the bytes went to another server; encrypted: the file holds ciphertext.
      expect(storage.putVerifies).toBe(false);
      expect(storage.localFile).toBeUndefined();
    }
  });

  it('refuses keys that could escape the storage', async () => {
    const { storage } = subject;
    await expect(storage.put('../outside', Readable.from([Buffer.from('x')]))).rejects.toThrow(/invalid storage key/);
    await expect(storage.stat('/etc/passwd')).rejects.toThrow(/invalid storage key/);
  });
});

describe('FilesystemBackupStorage', () => {
  it('never shows a partial file under the key while a put is running', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'fs-storage-'));
    try {
      const storage = new FilesystemBackupStorage(dir);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let first = true;
      const slow = new Readable({
        read() {
          if (first) {
            first = false;
            this.push(Buffer.alloc(1024));
            void gate.then(() => this.push(null));
          }
        },
      });
      const put = storage.put('t/b/database.dump', slow);
      const partial = await (async () => {
        for (let i = 0; i < 200; i++) {
          const names = await readdir(path.join(dir, 't', 'b')).catch(() => [] as string[]);
          if (names.length) return names;
          await new Promise((r) => setTimeout(r, 10));
        }
        return [];
      })();
      expect(partial).toHaveLength(1);
      expect(partial[0]).toMatch(/^database\.dump\.partial-/);
      expect(await storage.stat('t/b/database.dump')).toBeNull();
      release();
      await put;
      expect(await readdir(path.join(dir, 't', 'b'))).toEqual(['database.dump']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('EncryptedBackupStorage', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'enc-storage-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores no plaintext, reads back across a key rotation, and refuses an altered object or an unknown key', async () => {
    const plain = new FilesystemBackupStorage(dir);
    const before = new EncryptedBackupStorage(plain, parseKeyRing(keyA));
    const body = Buffer.from('tenant secrets: '.repeat(10_000));
    expect(await before.put('t/b/database.dump', Readable.from([body]))).toEqual({ size: body.length });
    const raw = await readFile(path.join(dir, 't', 'b', 'database.dump'));
    expect(raw.length).toBe(body.length + ENCRYPTION_OVERHEAD);
    expect(raw.includes(Buffer.from('tenant secrets'))).toBe(false);

    // Rotated: B is newest, A still reads.
    const rotated = new EncryptedBackupStorage(plain, parseKeyRing(`${keyB},${keyA}`));
    expect(await digestStream(await rotated.get('t/b/database.dump'))).toEqual({ size: body.length, sha256: createHash('sha256').update(body).digest('hex') });
    expect(await rotated.stat('t/b/database.dump')).toEqual({ size: body.length });

    const onlyB = new EncryptedBackupStorage(plain, parseKeyRing(keyB));
    await expect(digestStream(await onlyB.get('t/b/database.dump'))).rejects.toThrow(/key "a1".*not in BACKUP_ENCRYPTION_KEYS/);

    const file = await open(path.join(dir, 't', 'b', 'database.dump'), 'r+');
    try {
      await file.write(Buffer.from([raw[1000]! ^ 0x01]), 0, 1, 1000);
    } finally {
      await file.close();
    }
    await expect(digestStream(await rotated.get('t/b/database.dump'))).rejects.toThrow(/authentication tag/);
  });

  it('refuses malformed key rings', () => {
    expect(() => parseKeyRing('nokey')).toThrow();
    expect(() => parseKeyRing(`k:${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
  });
});
