import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, In, type EntityManager } from 'typeorm';
import {
  callerUserId,
  isAdmin,
  ProvisioningRpc,
  type AdminListBackupsRequest,
  type BackupAccepted,
  type BackupRefRequest,
  type BackupType,
  type BackupView,
  type CreateBackupRequest,
  type ListBackupsRequest,
  type ListResult,
  type TenantDataLocation,
} from '@saas/contracts';
import { paginate } from '@saas/database';
import { DomainException } from '@saas/errors';
import { RpcClient } from '@saas/messaging';
import { SERVICE_LOGGER } from '@saas/service-kit';
import { Restore } from '../restores/restore.entity.js';
import { BACKUP_STORAGE, type BackupStorage } from '../storage/backup-storage.js';
import { Backup, pendingBackup, type BackupOptions } from './backup.entity.js';
import { backupStatusUrl, toBackupView } from './backup.view.js';
import { BackupLifecycle } from './backup-lifecycle.js';
import { BackupWorker } from './backup-worker.js';
import { BackupsException } from './backups.exception.js';

export type { BackupOptions } from './backup.entity.js';

/**
 * Backups as callers see them. Every lookup is scoped by the tenant the caller was authorized for
 * (the gateway and the tenants service check the role first), so another tenant's id is a 404.
 */
@Injectable()
export class BackupsService {
  constructor(
    private readonly ds: DataSource,
    private readonly rpc: RpcClient,
    private readonly worker: BackupWorker,
    private readonly lifecycle: BackupLifecycle,
    @Inject(BACKUP_STORAGE) private readonly storage: BackupStorage,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async create(req: CreateBackupRequest): Promise<BackupAccepted> {
    // Refuse at once what cannot be backed up rather than queueing a certain failure.
    await this.locate(req.tenant_id);
    const backup = await this.enqueue(req.tenant_id, 'manual', { reason: req.reason ?? null, requestedBy: callerUserId(req.caller) });
    return { backup: toBackupView(backup), status_url: backupStatusUrl(backup) };
  }

  /** Queues a backup of any type (the scheduler and the deletion saga use this). */
  async enqueue(tenantId: string, type: BackupType, opts: BackupOptions = {}): Promise<Backup> {
    const backup = this.build(tenantId, type, opts);
    await this.ds.getRepository(Backup).insert(backup);
    this.worker.kick();
    return this.ds.getRepository(Backup).findOneByOrFail({ id: backup.id });
  }

  /** Queues a backup in the caller's transaction (the caller kicks the worker after its commit). */
  async enqueueIn(tx: EntityManager, tenantId: string, type: BackupType, opts: BackupOptions = {}): Promise<Backup> {
    const backup = this.build(tenantId, type, opts);
    await tx.getRepository(Backup).insert(backup);
    return backup;
  }

  /** Creates a backup already `running` under the caller's lease, for the caller to run itself (a restore's safety copy). */
  async startInline(tenantId: string, type: BackupType, opts: BackupOptions, lease: { owner: string; until: Date }): Promise<Backup> {
    return this.ds.transaction(async (tx) => {
      const backup = this.build(tenantId, type, opts);
      await tx.getRepository(Backup).insert(backup);
      const row = await tx.getRepository(Backup).findOneByOrFail({ id: backup.id });
      await this.lifecycle.start(tx, row, lease);
      return row;
    });
  }

  private build(tenantId: string, type: BackupType, opts: BackupOptions): Backup {
    return pendingBackup(this.ds.getRepository(Backup), this.storage.kind, tenantId, type, opts);
  }

  async list(req: ListBackupsRequest): Promise<ListResult<BackupView>> {
    return this.page(req);
  }

  /** Platform admins: every tenant's backups, or one tenant's (`tenant_id`), whatever became of the tenant. */
  async adminList(req: AdminListBackupsRequest): Promise<ListResult<BackupView>> {
    if (!isAdmin(req.caller)) throw BackupsException.adminsOnly();
    return this.page(req);
  }

  private async page(req: Omit<AdminListBackupsRequest, 'caller'>): Promise<ListResult<BackupView>> {
    const qb = this.ds.getRepository(Backup).createQueryBuilder('b');
    if (req.tenant_id) qb.andWhere('b.tenant_id = :tenantId', { tenantId: req.tenant_id });
    if (req.type) qb.andWhere('b.type = :type', { type: req.type });
    if (req.status) qb.andWhere('b.status = :status', { status: req.status });
    if (req.date_from) qb.andWhere('b.created_at >= :from', { from: new Date(req.date_from) });
    if (req.date_to) qb.andWhere('b.created_at <= :to', { to: new Date(req.date_to) });
    if (req.date_from && req.date_to && new Date(req.date_from) > new Date(req.date_to)) {
      throw DomainException.validation([{ field: 'date_from', message: 'date_from must not be after date_to' }]);
    }
    const page = await paginate(qb, req, {
      orderable: { created_at: 'createdAt', size_bytes: 'sizeBytes', completed_at: 'completedAt' },
      defaultOrder: { created_at: 'DESC' },
    });
    return { count: page.count, results: page.results.map(toBackupView) };
  }

  async get(req: BackupRefRequest): Promise<BackupView> {
    return toBackupView(await this.find(req.tenant_id, req.backup_id));
  }

  /** Deletes a manual backup: its row and every stored part. */
  async delete(req: BackupRefRequest): Promise<BackupView> {
    const removed = await this.ds.transaction(async (tx) => {
      const backup = await tx.getRepository(Backup).findOne({ where: { id: req.backup_id, tenantId: req.tenant_id }, lock: { mode: 'pessimistic_write' } });
      if (!backup) throw BackupsException.backupNotFound();
      if (backup.type !== 'manual') throw BackupsException.notDeletable(backup.type);
      if (backup.status === 'pending' || backup.status === 'running') throw BackupsException.stillRunning();
      // Neither while the tenant is being restored nor while a clone restores this backup into another.
      const restoring = await tx.getRepository(Restore).existsBy([
        { tenantId: req.tenant_id, status: In(['pending', 'running']) },
        { backupId: backup.id, status: In(['pending', 'running']) },
      ]);
      if (restoring) throw BackupsException.restoreInProgress();
      await tx.getRepository(Backup).delete({ id: backup.id });
      return backup;
    });
    await this.storage.deletePrefix(removed.storagePrefix).catch((err: Error) => this.logger.warn({ err, backup_id: removed.id }, 'deleted backup’s parts could not all be removed'));
    return toBackupView(removed);
  }

  async find(tenantId: string, backupId: string): Promise<Backup> {
    const backup = await this.ds.getRepository(Backup).findOneBy({ id: backupId, tenantId });
    if (!backup) throw BackupsException.backupNotFound();
    return backup;
  }

  async locate(tenantId: string): Promise<TenantDataLocation> {
    try {
      return await this.rpc.call(ProvisioningRpc.internalTenantData, { tenant_id: tenantId });
    } catch (err) {
      if (err instanceof DomainException && err.status === 404) throw BackupsException.tenantHasNoData();
      throw err;
    }
  }
}
