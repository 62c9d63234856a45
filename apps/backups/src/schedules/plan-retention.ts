import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BackupPlanLimits, EventTypes, findPlan, SubscriptionEventData, type EventEnvelope } from '@saas/contracts';
import { OnEvent } from '@saas/messaging';
import { TenantPlanRow } from './tenant-plan.entity.js';

export interface RetentionLimits {
  plan: string;
  max_keep_last: number;
  /** The plan's `backup_retention_days` (the one plan catalogue): no scheduled backup is kept longer. */
  max_keep_days: number;
  default_schedule: string;
  default_keep_last: number;
  default_keep_days: number;
}

/**
 * What a tenant's scheduled backups may keep: its subscription's plan (projected below from billing's
 * events), or — before any subscription event reached this service — the plan its instance runs.
 * The age cap is the catalogue's `backup_retention_days`; the count cap and the default schedule stay
 * backups' own (BackupPlanLimits).
 */
export async function retentionLimits(em: EntityManager, tenantId: string, instancePlan: string): Promise<RetentionLimits> {
  const projected = await em.getRepository(TenantPlanRow).findOneBy({ tenantId });
  const plan = projected?.plan ?? instancePlan;
  const own = BackupPlanLimits[plan] ?? BackupPlanLimits.standard!;
  const maxDays = projected?.retentionDays ?? findPlan(plan)?.limits.backup_retention_days ?? own.max_keep_days;
  return { plan, ...own, max_keep_days: maxDays, default_keep_days: Math.min(own.default_keep_days, maxDays) };
}

/** The plan's retention for a tenant's scheduled backups, or null before any subscription event. */
export async function planRetentionDays(em: EntityManager, tenantId: string): Promise<number | null> {
  return (await em.getRepository(TenantPlanRow).findOneBy({ tenantId }))?.retentionDays ?? null;
}

/**
 * The subscription's plan of each tenant, from `subscription.created/updated` (in the inbox
 * transaction: a redelivery changes nothing, an older event arriving late is ignored). A canceled
 * subscription leaves the last plan in force for the backups that remain.
 */
@Injectable()
export class SubscriptionPlanProjection {
  @OnEvent(EventTypes.SubscriptionCreated, { data: SubscriptionEventData })
  onCreated(event: EventEnvelope<SubscriptionEventData>, tx: EntityManager): Promise<void> {
    return this.apply(event, tx);
  }

  @OnEvent(EventTypes.SubscriptionUpdated, { data: SubscriptionEventData })
  onUpdated(event: EventEnvelope<SubscriptionEventData>, tx: EntityManager): Promise<void> {
    return this.apply(event, tx);
  }

  private async apply(event: EventEnvelope<SubscriptionEventData>, tx: EntityManager): Promise<void> {
    const plan = findPlan(event.data.plan);
    if (!plan || event.data.status === 'canceled') return;
    await tx.query(
      `INSERT INTO tenant_plans (tenant_id, plan, retention_days, as_of) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id) DO UPDATE SET plan = EXCLUDED.plan, retention_days = EXCLUDED.retention_days, as_of = EXCLUDED.as_of
        WHERE tenant_plans.as_of <= EXCLUDED.as_of`,
      [event.data.tenant_id, plan.code, plan.limits.backup_retention_days, new Date(event.occurred_at)],
    );
  }
}
