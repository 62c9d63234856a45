import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { IsIn, IsObject, IsOptional, IsString, IsUUID } from 'class-validator';
import { EventTypes, type EventEnvelope } from '@saas/contracts';
import { OnEvent } from '@saas/messaging';
import { ProvisioningJob, type JobTenantSpec } from './provisioning-job.entity.js';

/** The tenant.* event data provisioning needs (the rest of the public payload is ignored). */
class TenantEventData {
  @IsUUID() tenant_id!: string;
  @IsString() slug!: string;
  @IsString() name!: string;
  @IsString() plan!: string;
  @IsIn(['shared', 'dedicated']) database_strategy!: 'shared' | 'dedicated';
  @IsOptional() @IsString() admin_email?: string | null;
  @IsOptional() @IsString() custom_plugin_repo?: string | null;
  @IsOptional() @IsUUID() operation_id?: string;
  @IsOptional() @IsString() operation?: string;
  @IsOptional() @IsObject() params?: Record<string, unknown>;
  [extra: string]: unknown;
}

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
  @OnEvent(EventTypes.TenantCreated, { data: TenantEventData })
  async onTenantCreated(event: EventEnvelope<TenantEventData>, tx: EntityManager): Promise<void> {
    await this.enqueue(tx, event, 'provision');
  }

  @OnEvent(EventTypes.TenantOperationRequested, { data: TenantEventData })
  async onOperationRequested(event: EventEnvelope<TenantEventData>, tx: EntityManager): Promise<void> {
    await this.enqueue(tx, event, event.data.operation ?? 'unknown');
  }

  @OnEvent(EventTypes.TenantDeletionRequested, { data: TenantEventData })
  async onDeletionRequested(event: EventEnvelope<TenantEventData>, tx: EntityManager): Promise<void> {
    // Deletion supersedes whatever is still waiting for this tenant (the tenants service failed those).
    await tx.getRepository(ProvisioningJob).update(
      { tenantId: event.data.tenant_id, status: In(['queued']) },
      { status: 'cancelled', lastError: 'superseded by delete', finishedAt: new Date() },
    );
    await this.enqueue(tx, event, 'delete');
  }

  private async enqueue(tx: EntityManager, event: EventEnvelope<TenantEventData>, kind: string): Promise<void> {
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
        status: 'queued',
        correlationId: event.correlation_id,
        causationId: event.id,
      })
      .orIgnore()
      .execute();
    await tx.query(`SELECT pg_notify('provisioning_jobs', $1)`, [data.operation_id]);
  }
}
