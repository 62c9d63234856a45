import type { Readable } from 'node:stream';

/**
 * Where backup archives are kept (filesystem | s3). Keys are `/`-separated relative paths
 * (`<tenant_id>/<backup_id>/<part>`), never absolute and never containing `..`.
 *
 * Contract, for every implementation:
 * - `put` streams `body` to `key` (never holding it whole in memory) and resolves once the object
 *   is durably stored. The object appears under `key` only complete: a failed or interrupted put
 *   leaves nothing under `key` (at most a leftover under the same prefix, which `deletePrefix`
 *   removes). A put to an existing key replaces it.
 * - `get` streams the object; rejects with `StorageObjectMissing` when there is none.
 * - `stat` answers the stored size, or null when there is no object.
 * - `delete` and `deletePrefix` are idempotent: deleting what is not there succeeds.
 * - `presignPut` / `presignGet`, where there are (s3, unencrypted): a URL anyone holding it may PUT
 *   `key` to (GET it from) until it expires, so a runtime moves a part itself (a Kubernetes tenant's
 *   volume) without the storage's credentials. What it uploads is checked like any part (read back,
 *   sha256); what it downloads it checks against the manifest's sha256.
 * - `putVerifies`: whether a successful `put` is itself the proof that the object holds exactly
 *   the bytes read from `body` (see FilesystemBackupStorage). Where it is not (s3: the bytes went to
 *   another server; encryption: what is stored is ciphertext, and reading it back is what proves the
 *   key ring and the authentication tag), a stored part is read back whole and its sha256 checked.
 * - `localFile`, where there is one (plain filesystem storage): the path of the file holding `key`
 *   exactly as stored, for a tool that must read it itself (`pg_restore -j` needs a seekable file).
 *   Read only; rejects with `StorageObjectMissing` when there is none.
 */
export interface BackupStorage {
  readonly kind: 'filesystem' | 's3';
  readonly putVerifies: boolean;
  put(key: string, body: Readable): Promise<{ size: number }>;
  get(key: string): Promise<Readable>;
  stat(key: string): Promise<{ size: number } | null>;
  delete(key: string): Promise<void>;
  /** Removes every object whose key starts with `prefix` (a `<tenant>/<backup>/` folder). Returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  presignPut?(key: string, expiresInSeconds: number): Promise<string>;
  presignGet?(key: string, expiresInSeconds: number): Promise<string>;
  localFile?(key: string): Promise<string>;
  close(): Promise<void>;
}

/** What a tool (pg_restore) reads a stored object from: the file itself where the storage has one, else a stream of it. */
export type StoredInput = { file: string } | { stream: Readable };

export async function storedInput(storage: BackupStorage, key: string): Promise<StoredInput> {
  return storage.localFile ? { file: await storage.localFile(key) } : { stream: await storage.get(key) };
}

export class StorageObjectMissing extends Error {
  constructor(readonly key: string) {
    super(`no stored object "${key}"`);
    this.name = 'StorageObjectMissing';
  }
}

const SAFE_KEY = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*\/?$/;

export function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key) || key.split('/').some((p) => p === '.' || p === '..')) throw new Error(`invalid storage key "${key}"`);
}

export const BACKUP_STORAGE = Symbol('BACKUP_STORAGE');
