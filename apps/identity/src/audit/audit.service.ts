import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, type EntityManager } from 'typeorm';
import type { AuditLogView, EventEnvelope, ListAuditLogsRequest, ListResult } from '@saas/contracts';
import { containsPattern, paginate } from '@saas/database';
import { ANY_EVENT, OnEvent } from '@saas/messaging';
import { CallerResolver } from '../common/caller.js';
import { UserTenant } from '../projections/user-tenant.entity.js';
import { User } from '../users/user.entity.js';
import { AuditLog } from './audit-log.entity.js';
import { auditAction, toAuditEntry } from './audit-entry.js';
import { AuditException } from './audit.exception.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The envelope's tenant, else a `tenant_id` in the data (e.g. tenant events of a tenant-less actor). */
function tenantOf(event: EventEnvelope): string | null {
  const candidate = event.tenant_id ?? (event.data as { tenant_id?: unknown } | null)?.tenant_id;
  return typeof candidate === 'string' && UUID.test(candidate) ? candidate : null;
}

/** The platform's audit log: every event on the bus, recorded once (inbox + unique event id). */
@Injectable()
export class AuditService {
  constructor(
    private readonly ds: DataSource,
    private readonly callers: CallerResolver,
  ) {}

  @OnEvent(ANY_EVENT)
  async record(event: EventEnvelope, tx: EntityManager): Promise<void> {
    const entry = toAuditEntry(event);
    await tx
      .createQueryBuilder()
      .insert()
      .into(AuditLog)
      .values({
        id: randomUUID(),
        eventId: event.id,
        eventType: event.type,
        action: entry.action,
        resourceType: entry.resourceType,
        resourceId: entry.resourceId,
        tenantId: tenantOf(event),
        actorType: event.actor?.type ?? 'system',
        actorId: event.actor?.id ?? null,
        ip: event.actor?.ip ?? null,
        userAgent: event.actor?.user_agent ?? null,
        // jsonb columns: TypeORM's deep-partial type cannot express Record<string, unknown>.
        oldValues: entry.oldValues as never,
        newValues: entry.newValues as never,
        correlationId: event.correlation_id,
        occurredAt: new Date(event.occurred_at),
      })
      .orIgnore() // the same event replayed from a dead letter
      .execute();
  }

  /** Admins read everything; anyone else must name a tenant they own. */
  async list(req: ListAuditLogsRequest): Promise<ListResult<AuditLogView>> {
    const principal = await this.callers.resolve(req.caller);
    if (!principal.isAdmin) {
      if (!req.tenant_id) throw AuditException.tenantRequired();
      const owner = await this.ds.getRepository(UserTenant).existsBy({ userId: principal.user.id, tenantId: req.tenant_id, role: 'owner' });
      if (!owner) throw AuditException.tenantNotFound();
    }
    const qb = this.ds.getRepository(AuditLog).createQueryBuilder('a');
    if (req.action) qb.andWhere('a.action = :action', { action: auditAction(req.action) });
    if (req.resource_type) qb.andWhere('a.resource_type = :rt', { rt: req.resource_type });
    if (req.user_id) qb.andWhere('a.actor_id = :actor', { actor: req.user_id });
    if (req.tenant_id) qb.andWhere('a.tenant_id = :tenant', { tenant: req.tenant_id });
    if (req.date_from) qb.andWhere('a.occurred_at >= :from', { from: new Date(req.date_from) });
    if (req.date_to) qb.andWhere('a.occurred_at <= :to', { to: new Date(req.date_to) });
    if (req.search) {
      // The event type, the action, the resource (type and id) and the client address.
      const q = containsPattern(req.search);
      qb.andWhere(
        new Brackets((w) =>
          w.where('a.event_type ILIKE :q', { q }).orWhere('a.action ILIKE :q', { q }).orWhere('a.resource_type ILIKE :q', { q }).orWhere('a.resource_id ILIKE :q', { q }).orWhere('a.ip ILIKE :q', { q }),
        ),
      );
    }
    const page = await paginate(qb, req, {
      orderable: { timestamp: 'occurredAt', occurred_at: 'occurredAt', action: 'action', resource_type: 'resourceType' },
      defaultOrder: { timestamp: 'DESC' },
    });
    const actorIds = [...new Set(page.results.filter((r) => r.actorId && UUID.test(r.actorId)).map((r) => r.actorId!))];
    const users = actorIds.length ? await this.ds.getRepository(User).createQueryBuilder('u').where('u.id IN (:...ids)', { ids: actorIds }).getMany() : [];
    const emails = new Map(users.map((u) => [u.id, u.email]));
    return {
      count: page.count,
      results: page.results.map((a) => ({
        id: a.id,
        event_id: a.eventId,
        event_type: a.eventType,
        action: a.action,
        resource_type: a.resourceType,
        resource_id: a.resourceId,
        tenant_id: a.tenantId,
        actor_type: a.actorType,
        user: a.actorId && (a.actorType === 'user' || a.actorType === 'api_key') ? { id: a.actorId, email: emails.get(a.actorId) ?? null } : null,
        old_values: a.oldValues,
        new_values: a.newValues,
        ip_address: a.ip,
        user_agent: a.userAgent,
        correlation_id: a.correlationId,
        timestamp: a.occurredAt.toISOString(),
      })),
    };
  }
}
