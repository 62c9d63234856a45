import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { spawnReader, spawnWriter, type ChildStream } from './child-stream.js';

/** Turns `app.log*` into a matcher; only `*` is special. */
function matcher(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** A tar stream of the app's files in `dir` (top-level `exclude` patterns left out). */
export function tarFiles(dir: string, exclude: string[]): ChildStream {
  const args = ['-C', dir, ...exclude.map((e) => `--exclude=./${e}`), '-cf', '-', '.'];
  return spawnReader('tar', 'tar', args);
}

/**
 * Replaces the app's files in `dir` by the archive's: everything but the excluded entries is removed,
 * then the archive is unpacked. Run with the instance stopped.
 */
export async function replaceFiles(dir: string, exclude: string[], archive: Readable): Promise<void> {
  const keep = exclude.map(matcher);
  for (const name of await readdir(dir)) {
    if (keep.some((m) => m.test(name))) continue;
    await rm(path.join(dir, name), { recursive: true, force: true });
  }
  await spawnWriter('tar', 'tar', ['-C', dir, '-xf', '-'], archive);
}
