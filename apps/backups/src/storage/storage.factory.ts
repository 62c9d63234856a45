import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackupsConfig } from '../config.js';
import type { BackupStorage } from './backup-storage.js';
import { EncryptedBackupStorage, parseKeyRing } from './encrypted-storage.js';
import { FilesystemBackupStorage } from './filesystem-storage.js';
import { S3BackupStorage } from './s3-storage.js';

/** The repository root, from apps/backups/src/storage (Jest) or dist/apps/backups/src/storage (built). */
function repoRoot(): string {
  const parts = path.dirname(fileURLToPath(import.meta.url)).split(path.sep);
  const i = parts.lastIndexOf('apps');
  if (i <= 0) return process.cwd();
  const root = parts.slice(0, i).join(path.sep);
  return root.endsWith(`${path.sep}dist`) ? path.dirname(root) : root;
}

export function createBackupStorage(config: BackupsConfig): BackupStorage {
  const storage = plainStorage(config);
  return config.BACKUP_ENCRYPTION_KEYS ? new EncryptedBackupStorage(storage, parseKeyRing(config.BACKUP_ENCRYPTION_KEYS)) : storage;
}

function plainStorage(config: BackupsConfig): BackupStorage {
  switch (config.BACKUP_STORAGE) {
    case 'filesystem':
      return new FilesystemBackupStorage(path.resolve(config.BACKUP_DIR ?? path.join(repoRoot(), '.platform', 'backups')));
    case 's3':
      return new S3BackupStorage({
        bucket: config.BACKUP_S3_BUCKET!,
        prefix: config.BACKUP_S3_PREFIX,
        region: config.BACKUP_S3_REGION,
        forcePathStyle: config.BACKUP_S3_FORCE_PATH_STYLE,
        ...(config.BACKUP_S3_ENDPOINT ? { endpoint: config.BACKUP_S3_ENDPOINT } : {}),
        ...(config.BACKUP_S3_ACCESS_KEY_ID && config.BACKUP_S3_SECRET_ACCESS_KEY
          ? { credentials: { accessKeyId: config.BACKUP_S3_ACCESS_KEY_ID, secretAccessKey: config.BACKUP_S3_SECRET_ACCESS_KEY } }
          : {}),
      });
  }
}
