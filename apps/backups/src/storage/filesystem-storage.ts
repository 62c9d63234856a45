import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, StorageObjectMissing, type BackupStorage } from './backup-storage.js';

const PARTIAL = '.partial-';

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Archives as files under one directory (BACKUP_DIR). A put writes `<key>.partial-<random>`,
 * fsyncs it, renames it onto `<key>` and fsyncs the folder, so a reader only ever sees complete
 * files and a stored one survives a crash of the machine; a crash leaves at most a `.partial-` file
 * in the backup's folder, removed with it.
 *
 * `putVerifies`: a put resolves only once every byte read from `body` was written unchanged (no
 * transform between the stream and the file), the file fsynced (a write or flush error fails the
 * put), renamed onto `key` and the rename fsynced; the size it answers is the stored file's.
 * Reading the file back right after would re-read the same bytes from the page cache, not from the
 * disk, so it would prove nothing more: the caller checks the stored size against the bytes it
 * hashed instead.
 */
export class FilesystemBackupStorage implements BackupStorage {
  readonly kind = 'filesystem' as const;
  readonly putVerifies = true;

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
    // The rename made durable too: a crash of the machine must not lose a part its backup already lists as stored.
    await syncDirectory(path.dirname(target)).catch(async (err: unknown) => {
      await rm(target, { force: true });
      throw err;
    });
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

  async localFile(key: string): Promise<string> {
    const file = this.file(key);
    if (!(await this.stat(key))) throw new StorageObjectMissing(key);
    return file;
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
