import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { IdentityEventTypes, IdentityProjectedEventTypes, TenantEventData, TenantStatusChangedData, type EventEnvelope } from '@saas/contracts';
import { OnEvent } from '@saas/messaging';
import { SERVICE_LOGGER } from '@saas/service-kit';
import { UserSubscription } from './user-subscription.entity.js';
import { UserTenant } from './user-tenant.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type Data = Record<string, unknown>;

const uuid = (...candidates: unknown[]): string | null => {
  for (const c of candidates) if (typeof c === 'string' && UUID.test(c)) return c.toLowerCase();
  return null;
};
const text = (...candidates: unknown[]): string | null => {
  for (const c of candidates) if (typeof c === 'string' && c.length > 0) return c;
  return null;
};
const date = (...candidates: unknown[]): Date | null => {
  for (const c of candidates) {
    if (typeof c === 'string' || typeof c === 'number') {
      const d = new Date(c);
      if (!Number.isNaN(d.getTime())) return d;
    }
  }
  return null;
};
/** Flattens `{changes: {new}}` / `{new}` shapes so a partial update reads like a full payload. */
const flatten = (data: Data): Data => {
  const changes = data.changes as Data | undefined;
  const fresh = (changes && typeof changes === 'object' ? ((changes.new as Data | undefined) ?? changes) : undefined) ?? (data.new as Data | undefined);
  return fresh && typeof fresh === 'object' ? { ...data, ...fresh } : data;
};

/**
 * Identity's own view of who belongs to which tenant and which subscriptions they have, built from
 * the tenants and billing events (ARCHITECTURE § Ownership: no cross-schema reads). Tolerant: reads
 * the fields it knows under the names those services may use, ignores the rest, and skips (with a
 * warning) an event it cannot place rather than parking it.
 */
@Injectable()
export class ProjectionHandlers {
  constructor(@Inject(SERVICE_LOGGER) private readonly logger: Logger) {}

  private skip(event: EventEnvelope, why: string): void {
    this.logger.warn({ event_id: event.id, type: event.type }, `projection skipped the event: ${why}`);
  }

  @OnEvent(IdentityProjectedEventTypes.TenantCreated)
  async tenantCreated(event: EventEnvelope, tx: EntityManager): Promise<void> {
    const d = event.data as Data;
    const tenantId = uuid(d.tenant_id, d.id, event.tenant_id);
    const ownerId = uuid(d.owner_id, (d.owner as Data | undefined)?.id);
    if (!tenantId || !ownerId) return this.skip(event, 'no tenant id or owner id');
    await this.upsertMember(tx, event, tenantId, ownerId, 'owner', d);
  }

  @OnEvent(IdentityProjectedEventTypes.TenantMemberAdded)
  async memberAdded(event: EventEnvelope, tx: EntityManager): Promise<void> {
    const d = event.data as Data;
    const tenantId = uuid(d.tenant_id, event.tenant_id);
    const userId = uuid(d.user_id, d.member_id);
    if (!tenantId || !userId) return this.skip(event, 'no tenant id or user id');
    await this.upsertMember(tx, event, tenantId, userId, text(d.role) ?? 'member', d);
  }

  @OnEvent(IdentityProjectedEventTypes.TenantMemberRemoved)
  async memberRemoved(event: EventEnvelope, tx: EntityManager): Promise<void> {
    const d = event.data as Data;
    const tenantId = uuid(d.tenant_id, event.tenant_id);
    const userId = uuid(d.user_id, d.member_id);
    if (!tenantId || !userId) return this.skip(event, 'no tenant id or user id');
    await tx.getRepository(UserTenant).delete({ tenantId, userId });
  }

  @OnEvent(IdentityProjectedEventTypes.TenantDeleted)
  async tenantDeleted(event: EventEnvelope, tx: EntityManager): Promise<void> {
    const d = event.data as Data;
    const tenantId = uuid(d.tenant_id, d.id, event.tenant_id);
    if (!tenantId) return this.skip(event, 'no tenant id');
    await tx.getRepository(UserTenant).delete({ tenantId });
  }

  /** A renamed tenant, or one that moved to another domain, reads so in every member's list. */
  @OnEvent(IdentityProjectedEventTypes.TenantUpdated, { data: TenantEventData })
  async tenantUpdated(event: EventEnvelope<TenantEventData>, tx: EntityManager): Promise<void> {
    const d = event.data;
    await tx.getRepository(UserTenant).update(
      { tenantId: d.tenant_id },
      { tenantName: d.name, tenantDomain: d.domain ?? d.slug, isActive: d.status === 'active', updatedAt: date(event.occurred_at) ?? new Date() },
    );
  }

  /** `users/{id}/tenants` says `is_active: false` while a tenant is stopped, suspended, failed or being deleted. */
  @OnEvent(IdentityProjectedEventTypes.TenantStatusChanged, { data: TenantStatusChangedData })
  async tenantStatusChanged(event: EventEnvelope<TenantStatusChangedData>, tx: EntityManager): Promise<void> {
    const d = event.data;
    await tx.getRepository(UserTenant).update({ tenantId: d.tenant_id }, { isActive: d.to === 'active', updatedAt: date(event.occurred_at) ?? new Date() });
  }

  @OnEvent(IdentityProjectedEventTypes.SubscriptionCreated)
  async subscriptionCreated(event: EventEnvelope, tx: EntityManager): Promise<void> {
    await this.upsertSubscription(event, tx);
  }

  @OnEvent(IdentityProjectedEventTypes.SubscriptionUpdated)
  async subscriptionUpdated(event: EventEnvelope, tx: EntityManager): Promise<void> {
    await this.upsertSubscription(event, tx);
  }

  /** A deleted user leaves the projections too (identity's own event). */
  @OnEvent(IdentityEventTypes.UserDeleted)
  async userDeleted(event: EventEnvelope, tx: EntityManager): Promise<void> {
    const userId = uuid((event.data as Data).user_id);
    if (!userId) return;
    await tx.getRepository(UserTenant).delete({ userId });
    await tx.getRepository(UserSubscription).delete({ userId });
  }

  private async upsertMember(tx: EntityManager, event: EventEnvelope, tenantId: string, userId: string, role: string, d: Data): Promise<void> {
    const at = date(event.occurred_at) ?? new Date();
    // Member events may not repeat the tenant's name: take it from the rows we already have.
    const known = await tx.getRepository(UserTenant).findOne({ where: { tenantId } });
    await tx
      .createQueryBuilder()
      .insert()
      .into(UserTenant)
      .values({
        userId,
        tenantId,
        role,
        tenantName: text(d.tenant_name, d.name) ?? known?.tenantName ?? null,
        tenantDomain: text(d.domain, d.tenant_domain, d.subdomain, d.slug) ?? known?.tenantDomain ?? null,
        isActive: d.is_active === false ? false : true,
        createdAt: at,
        updatedAt: at,
      })
      .orUpdate(['role', 'tenant_name', 'tenant_domain', 'is_active', 'updated_at'], ['user_id', 'tenant_id'])
      .execute();
  }

  private async upsertSubscription(event: EventEnvelope, tx: EntityManager): Promise<void> {
    const d = flatten(event.data as Data);
    const id = uuid(d.subscription_id, d.id);
    if (!id) return this.skip(event, 'no subscription id');
    const repo = tx.getRepository(UserSubscription);
    const existing = await repo.findOneBy({ id });
    const status = text(d.status) ?? existing?.status ?? null;
    const isActive =
      typeof d.is_active === 'boolean' ? d.is_active : status ? ['active', 'trialing', 'trial', 'past_due'].includes(status) : (existing?.isActive ?? true);
    await repo.save({
      id,
      userId: uuid(d.user_id, d.owner_id) ?? existing?.userId ?? null,
      tenantId: uuid(d.tenant_id, event.tenant_id) ?? existing?.tenantId ?? null,
      plan: text(d.plan, d.plan_id, d.plan_code, d.tier) ?? existing?.plan ?? null,
      status,
      isActive,
      startDate: date(d.start_date, d.current_period_start, d.started_at) ?? existing?.startDate ?? null,
      endDate: date(d.end_date, d.current_period_end, d.ends_at) ?? existing?.endDate ?? null,
      updatedAt: date(event.occurred_at) ?? new Date(),
    });
  }
}
