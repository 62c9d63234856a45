import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { BackupManifest, BackupPartView } from '@saas/contracts';
import { partKey } from '../backups/backup-runner.js';
import type { Backup } from '../backups/backup.entity.js';
import { BackupsException } from '../backups/backups.exception.js';
import { PostgresTools } from '../dumps/postgres-tools.js';
import { digestStream } from '../dumps/hashing.js';
import { BACKUP_STORAGE, StorageObjectMissing, type BackupStorage } from '../storage/backup-storage.js';

/** Manifests are small; anything bigger is not one. */
const MANIFEST_MAX_BYTES = 1024 * 1024;

/**
 * Decides whether an archive may be restored into a tenant, before anything of the tenant is
 * touched: the manifest is the one recorded, names this tenant and a compatible server, and every
 * part is there with its recorded size (`quick`) and sha256 (`full`). Any doubt is BACKUP_CORRUPT.
 */
@Injectable()
export class ArchiveCheck {
  constructor(
    @Inject(BACKUP_STORAGE) private readonly storage: BackupStorage,
    private readonly tools: PostgresTools,
  ) {}

  async quick(backup: Backup, tenantId: string): Promise<BackupManifest> {
    const manifest = await this.manifest(backup);
    if (manifest.tenant_id !== tenantId || manifest.backup_id !== backup.id) throw BackupsException.corrupt('its manifest belongs to another tenant or backup');
    const server = await this.tools.serverVersion();
    if (Math.floor(manifest.server_version_num / 10_000) > Math.floor(server.num / 10_000)) {
      throw BackupsException.corrupt(`it was taken on PostgreSQL ${manifest.server_version}, newer than this server (${server.version})`);
    }
    for (const part of manifest.parts) {
      const stat = await this.storage.stat(partKey(backup, part.name));
      if (!stat) throw BackupsException.corrupt(`its ${part.name} part is missing`);
      if (stat.size !== part.size_bytes) throw BackupsException.corrupt(`its ${part.name} part is truncated or altered (${stat.size} of ${part.size_bytes} bytes)`);
    }
    return manifest;
  }

  async full(backup: Backup, manifest: BackupManifest): Promise<void> {
    for (const part of manifest.parts) await this.checkPart(backup, part);
  }

  private async checkPart(backup: Backup, part: BackupPartView): Promise<void> {
    let stored;
    try {
      stored = await digestStream(await this.storage.get(partKey(backup, part.name)));
    } catch (err) {
      if (err instanceof StorageObjectMissing) throw BackupsException.corrupt(`its ${part.name} part is missing`);
      throw err;
    }
    if (stored.size !== part.size_bytes || stored.sha256 !== part.sha256) throw BackupsException.corrupt(`its ${part.name} part fails its checksum`);
  }

  private async manifest(backup: Backup): Promise<BackupManifest> {
    let body: Buffer;
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of await this.storage.get(partKey(backup, 'manifest'))) {
        size += (chunk as Buffer).length;
        if (size > MANIFEST_MAX_BYTES) throw BackupsException.corrupt('its manifest is not one');
        chunks.push(chunk as Buffer);
      }
      body = Buffer.concat(chunks);
    } catch (err) {
      if (err instanceof StorageObjectMissing) throw BackupsException.corrupt('its manifest is missing');
      throw err;
    }
    if (createHash('sha256').update(body).digest('hex') !== backup.checksum) throw BackupsException.corrupt('its manifest fails its checksum');
    try {
      return JSON.parse(body.toString('utf8')) as BackupManifest;
    } catch {
      throw BackupsException.corrupt('its manifest is not valid JSON');
    }
  }
}
