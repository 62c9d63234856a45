import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { IdentityEventTypes, type Actor, type SecurityMetricsResponse } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { SecurityEvent, type SecurityEventType } from './security-event.entity.js';
import { Clock } from '@saas/service-kit';

export interface SecurityEventInput {
  type: SecurityEventType;
  userId: string | null;
  subject?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
}

/** Bus event per security event type; failed logins are only counted (one per attempt would flood the bus). */
const PUBLISHED: Partial<Record<SecurityEventType, string>> = {
  account_locked: IdentityEventTypes.SecurityAccountLocked,
  token_reuse_detected: IdentityEventTypes.SecurityTokenReuseDetected,
};

@Injectable()
export class SecurityEventsService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  /** Records a security event in the caller's transaction (and publishes it when it is one of the published kinds). */
  async record(tx: EntityManager, input: SecurityEventInput): Promise<void> {
    const occurredAt = this.clock.now();
    await tx.getRepository(SecurityEvent).insert({
      id: randomUUID(),
      type: input.type,
      userId: input.userId,
      subject: input.subject ?? null,
      ip: input.ip ?? null,
      userAgent: input.userAgent ?? null,
      details: (input.details ?? {}) as never,
      occurredAt,
    });
    const eventType = PUBLISHED[input.type];
    // Only for real accounts: the bus is readable by external subscribers, and an event about an
    // identifier that matches no account would tell them which ones do not exist.
    if (eventType && input.userId) {
      const actor: Actor = { type: 'system', id: null, ip: input.ip ?? null, user_agent: input.userAgent ?? null };
      await this.outbox.add(tx, { type: eventType, data: { user_id: input.userId, ...(input.details ?? {}) }, actor, occurredAt });
    }
  }

  async metrics(windowS: number): Promise<SecurityMetricsResponse> {
    const end = this.clock.now();
    const start = new Date(end.getTime() - windowS * 1000);
    const rows: Array<{ type: string; n: number; subjects: number }> = await this.ds.query(
      `SELECT type, count(*)::int AS n, count(DISTINCT subject)::int AS subjects
         FROM security_events WHERE occurred_at > $1 AND occurred_at <= $2 GROUP BY type`,
      [start, end],
    );
    const by = (t: SecurityEventType) => rows.find((r) => r.type === t);
    return {
      window_start: start.toISOString(),
      window_end: end.toISOString(),
      failed_logins: by('login_failed')?.n ?? 0,
      lockouts: by('account_locked')?.n ?? 0,
      token_reuse: by('token_reuse_detected')?.n ?? 0,
      accounts_targeted: by('login_failed')?.subjects ?? 0,
    };
  }
}
