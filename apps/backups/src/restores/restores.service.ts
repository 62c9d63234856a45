import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import {
  callerUserId,
  TenantsRpc,
  type CallerDto,
  type CreateTenantRequest,
  type RestoreAccepted,
  type RestoreBackupRequest,
  type RestoreRefRequest,
  type RestoreView,
  type TenantPlan } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { toRestoreView, restoreStatusUrl } from '../backups/backup.view.js';
import { BackupWorker } from '../backups/backup-worker.js';
import { BackupsException } from '../backups/backups.exception.js';
import { BackupsService } from '../backups/backups.service.js';
import { ArchiveCheck } from './archive-check.js';
import { Restore } from './restore.entity.js';

function isUniqueViolation(err: unknown): boolean {
  return err instanceof QueryFailedError && (err.driverError as { code?: string } | undefined)?.code === '23505';
}

/** How the backups service reads a tenant as the platform (a clone's new tenant, to see whether it is provisioned yet). */
const PLATFORM_CALLER: CallerDto = { actor: { type: 'service', id: 'backups' }, roles: ['admin'] };

/** The clone's step while its new tenant goes through sign-up and provisioning. */
export const WAITING_FOR_TENANT = 'waiting for the new tenant to be provisioned';

/**
 * Restores as callers see them: accepted only for a completed, sound archive, one at a time per
 * tenant. In place, into the tenant the backup is of; or (`target: new_tenant`) into a new tenant,
 * signed up through the tenants service as any other (owner: the caller) and restored once provisioned.
 */
@Injectable()
export class RestoresService {
  constructor(
    private readonly ds: DataSource,
    private readonly backups: BackupsService,
    private readonly check: ArchiveCheck,
    private readonly worker: BackupWorker,
    private readonly rpc: RpcClient,
  ) {}

  async restore(req: RestoreBackupRequest): Promise<RestoreAccepted> {
    if (req.target === 'new_tenant') return this.clone(req);
    const backup = await this.backups.find(req.tenant_id, req.backup_id);
    if (backup.status !== 'completed') throw BackupsException.notRestorable(backup.status);
    if (await this.ds.getRepository(Restore).existsBy({ tenantId: req.tenant_id, status: 'running' })) throw BackupsException.restoreInProgress();
    const manifest = await this.check.quick(backup, req.tenant_id);
    const location = await this.backups.locate(req.tenant_id);
    if (location.database.strategy !== manifest.database_strategy) {
      throw BackupsException.notRestorable(`a ${manifest.database_strategy}-strategy backup of a tenant that is now ${location.database.strategy}`);
    }
    const row = await this.insert(this.build(req.tenant_id, backup.id, req.caller));
    this.worker.kick();
    return { restore: toRestoreView(row), status_url: restoreStatusUrl(row) };
  }

  /**
   * A new tenant with the backup's data: the tenant is created (plan and database strategy of the
   * backup; subdomain and name from the request) and provisioned by the usual saga; its restore waits
   * meanwhile (`pending`, step "waiting…") and is claimed once `tenant.ready` says it is provisioned.
   * The source tenant is only read (its archive), never touched: it may even be deleted (its final backup).
   */
  private async clone(req: RestoreBackupRequest): Promise<RestoreAccepted> {
    const backup = await this.backups.find(req.tenant_id, req.backup_id);
    if (backup.status !== 'completed') throw BackupsException.notRestorable(backup.status);
    const manifest = await this.check.quick(backup, req.tenant_id);
    const create: CreateTenantRequest = {
      caller: req.caller,
      name: req.name ?? `Restored ${manifest.slug}`.slice(0, 100),
      subdomain: req.subdomain!,
      // The tenants service validates it as every sign-up's.
      plan: manifest.plan as TenantPlan,
      database_strategy: manifest.database_strategy,
      metadata: { restored_from: { tenant_id: req.tenant_id, backup_id: backup.id } },
    };
    const tenant = await this.rpc.call(TenantsRpc.create, create);
    const row = await this.insert({ ...this.build(tenant.id, backup.id, req.caller), sourceTenantId: req.tenant_id, waitingForTenant: true, step: WAITING_FOR_TENANT });
    // Its tenant.ready may have been handled before this row existed: then the tenant is active by now.
    const now = await this.rpc.call(TenantsRpc.get, { id: tenant.id, caller: PLATFORM_CALLER }).catch(() => null);
    if (now?.status === 'active') await this.tenantReady(tenant.id);
    const current = await this.ds.getRepository(Restore).findOneByOrFail({ id: row.id });
    return { restore: toRestoreView(current), status_url: restoreStatusUrl(current), tenant };
  }

  /** A clone's new tenant is provisioned: its restore may be claimed. */
  async tenantReady(tenantId: string, tx = this.ds.manager): Promise<void> {
    const res = await tx.getRepository(Restore).update({ tenantId, status: 'pending', waitingForTenant: true }, { waitingForTenant: false, step: null });
    if (res.affected) this.worker.kick();
  }

  async get(req: RestoreRefRequest): Promise<RestoreView> {
    const restore = await this.ds.getRepository(Restore).findOneBy({ id: req.restore_id, tenantId: req.tenant_id });
    if (!restore) throw BackupsException.restoreNotFound();
    return toRestoreView(restore);
  }

  private build(tenantId: string, backupId: string, caller: CallerDto): Restore {
    return this.ds.getRepository(Restore).create({
      id: randomUUID(),
      tenantId,
      backupId,
      sourceTenantId: null,
      waitingForTenant: false,
      status: 'pending',
      progress: 0,
      step: null,
      safetyBackupId: null,
      rolledBack: false,
      swap: null,
      errorCode: null,
      errorStep: null,
      errorReason: null,
      requestedBy: callerUserId(caller),
      leaseOwner: null,
      leaseUntil: null,
      startedAt: null,
      completedAt: null,
    });
  }

  private async insert(restore: Restore): Promise<Restore> {
    try {
      await this.ds.getRepository(Restore).insert(restore);
    } catch (err) {
      if (isUniqueViolation(err)) throw BackupsException.restoreInProgress();
      throw err;
    }
    return this.ds.getRepository(Restore).findOneByOrFail({ id: restore.id });
  }
}
