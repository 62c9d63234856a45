import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { BackupEventData, EventTypes, TenantEventData, TenantOperationRequestedData, type EventEnvelope, type ProvisioningEventData } from '@saas/contracts';
import { EventOutbox, OnEvent } from '@saas/messaging';
import { Clock } from '@saas/service-kit';
import { TenantInstance } from '../instances/tenant-instance.entity.js';
import { ProvisioningJob, type JobStatus, type JobTenantSpec } from './provisioning-job.entity.js';

function specOf(d: TenantEventData): JobTenantSpec {
  return {
    tenant_id: d.tenant_id,
    slug: d.slug,
    name: d.name,
    plan: d.plan,
    database_strategy: d.database_strategy,
    admin_email: d.admin_email ?? null,
    custom_plugin_repo: d.custom_plugin_repo ?? null,
  };
}

/**
 * Turns the tenants service's requests into jobs, in the inbox transaction (so a redelivered event
 * never makes a second job; the job id is the operation id besides). The work itself happens in
 * ProvisioningWorker, outside any event handler, because it takes seconds to minutes.
 */
@Injectable()
export class JobIntakeHandlers {
  constructor(
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  @OnEvent(EventTypes.TenantCreated, { data: TenantEventData })
  async onTenantCreated(event: EventEnvelope<TenantEventData>, tx: EntityManager): Promise<void> {
    await this.enqueue(tx, event, 'provision');
  }

  @OnEvent(EventTypes.TenantOperationRequested, { data: TenantOperationRequestedData })
  async onOperationRequested(event: EventEnvelope<TenantOperationRequestedData>, tx: EntityManager): Promise<void> {
    await this.enqueue(tx, event, event.data.kind ?? event.data.operation ?? 'unknown');
  }

  @OnEvent(EventTypes.TenantDeletionRequested, { data: TenantOperationRequestedData })
  async onDeletionRequested(event: EventEnvelope<TenantOperationRequestedData>, tx: EntityManager): Promise<void> {
    // Deletion supersedes whatever is still waiting for this tenant (the tenants service failed those).
    await tx.getRepository(ProvisioningJob).update(
      { tenantId: event.data.tenant_id, status: In(['queued', 'awaiting_backup']) },
      { status: 'cancelled', lastError: 'superseded by delete', finishedAt: this.clock.now() },
    );
    // A tenant with data is deprovisioned only after its final backup (the backups service's
    // `pre_deletion`, announced by backup.completed); one without any is removed at once.
    // An admin's force_delete skips the final backup (`params.skip_final_backup`).
    const instance = await tx.getRepository(TenantInstance).findOneBy({ tenantId: event.data.tenant_id });
    const waitsForBackup = !!instance?.database && !instance.deletedAt && event.data.params?.skip_final_backup !== true;
    await this.enqueue(tx, event, 'delete', waitsForBackup ? 'awaiting_backup' : 'queued');
  }

  @OnEvent(EventTypes.BackupCompleted, { data: BackupEventData })
  async onBackupCompleted(event: EventEnvelope<BackupEventData>, tx: EntityManager): Promise<void> {
    if (event.data.type !== 'pre_deletion' || !event.data.operation_id) return;
    const released = await tx.getRepository(ProvisioningJob).update({ id: event.data.operation_id, status: 'awaiting_backup' }, { status: 'queued' });
    if (released.affected) await tx.query(`SELECT pg_notify('provisioning_jobs', $1)`, [event.data.operation_id]);
  }

  /** The final backup failed: the tenant is not deprovisioned; the deletion fails with the reason (the tenant goes to `error`). */
  @OnEvent(EventTypes.BackupFailed, { data: BackupEventData })
  async onBackupFailed(event: EventEnvelope<BackupEventData>, tx: EntityManager): Promise<void> {
    // Taken again by the backups service (it was interrupted): the deletion waits for that one.
    if (event.data.type !== 'pre_deletion' || !event.data.operation_id || event.data.will_retry) return;
    const job = await tx.getRepository(ProvisioningJob).findOneBy({ id: event.data.operation_id, status: 'awaiting_backup' });
    if (!job) return;
    const where = [event.data.part, event.data.step].filter(Boolean).join(', ');
    const reason = `final backup failed${where ? ` (${where})` : ''}: ${event.data.reason ?? 'unknown'}; the tenant was not deprovisioned`;
    await tx.getRepository(ProvisioningJob).update({ id: job.id }, { status: 'failed', lastError: reason, finishedAt: this.clock.now() });
    const data: ProvisioningEventData = { tenant_id: job.tenantId, operation_id: job.id, kind: job.kind, reason, retryable: true };
    await this.outbox.add(tx, { type: EventTypes.ProvisioningFailed, tenantId: job.tenantId, data });
  }

  private async enqueue(tx: EntityManager, event: EventEnvelope<TenantEventData & Partial<TenantOperationRequestedData>>, kind: string, status: JobStatus = 'queued'): Promise<void> {
    const data = event.data;
    if (!data.operation_id) return;
    await tx
      .createQueryBuilder()
      .insert()
      .into(ProvisioningJob)
      .values({
        id: data.operation_id,
        tenantId: data.tenant_id,
        kind,
        spec: specOf(data),
        params: (data.params ?? {}) as never,
        status,
        correlationId: event.correlation_id,
        causationId: event.id,
      })
      .orIgnore()
      .execute();
    if (status === 'queued') await tx.query(`SELECT pg_notify('provisioning_jobs', $1)`, [data.operation_id]);
  }
}
