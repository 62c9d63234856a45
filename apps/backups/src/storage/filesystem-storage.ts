import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, StorageObjectMissing, type BackupStorage } from './backup-storage.js';

const PARTIAL = '.partial-';

/**
 * Archives as files under one directory (BACKUP_DIR). A put writes `<key>.partial-<random>`,
 * fsyncs it and renames it onto `<key>`, so a reader only ever sees complete files; a crash leaves
 * at most a `.partial-` file in the backup's folder, removed with it.
 */
export class FilesystemBackupStorage implements BackupStorage {
  readonly kind = 'filesystem' as const;

  constructor(private readonly root: string) {}

  private file(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: string, body: Readable): Promise<{ size: number }> {
    const target = this.file(key);
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}${PARTIAL}${randomBytes(4).toString('hex')}`;
    try {
      await pipeline(body, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
      const handle = await open(partial, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(partial, target);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    return { size: (await stat(target)).size };
  }

  async get(key: string): Promise<Readable> {
    const file = this.file(key);
    try {
      await stat(file);
    } catch {
      throw new StorageObjectMissing(key);
    }
    return createReadStream(file);
  }

  async stat(key: string): Promise<{ size: number } | null> {
    const file = this.file(key);
    try {
      const s = await stat(file);
      return s.isFile() ? { size: s.size } : null;
    } catch {
      return null;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<number> {
    const dir = this.file(prefix.replace(/\/$/, ''));
    let names: string[];
    try {
      names = await readdir(dir, { recursive: true });
    } catch {
      return 0;
    }
    await rm(dir, { recursive: true, force: true });
    return names.length;
  }

  async close(): Promise<void> {}
}
