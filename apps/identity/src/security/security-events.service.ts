import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { IdentityEventTypes, type Actor, type SecurityMetricsHour, type SecurityMetricsResponse, type SecurityReportRequest } from '@saas/contracts';
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

  /** Batches counted elsewhere (the gateway's 429s, inbound webhooks' bad signatures): one row per item, `details.count` of them. */
  async report(req: SecurityReportRequest): Promise<{ recorded: number }> {
    if (req.reports.length === 0) return { recorded: 0 };
    await this.ds.getRepository(SecurityEvent).insert(
      req.reports.map((r) => ({
        id: randomUUID(),
        type: r.type,
        userId: null,
        subject: r.type === 'rate_limited' ? (r.tier ?? null) : (r.provider ?? null),
        ip: r.ip ?? null,
        userAgent: null,
        details: { count: r.count, ...(r.tier ? { tier: r.tier } : {}), ...(r.route ? { route: r.route } : {}), ...(r.provider ? { provider: r.provider } : {}) } as never,
        occurredAt: new Date(r.occurred_at),
      })),
    );
    return { recorded: req.reports.length };
  }

  /** Counts over `[start, end]`, in all and hour by hour; batch rows count `details.count` each. */
  async metrics(range: { start: Date; end: Date }): Promise<SecurityMetricsResponse> {
    const { start, end } = range;
    const n = `COALESCE((details->>'count')::int, 1)`;
    const params = [start, end];
    const window = `occurred_at > $1 AND occurred_at <= $2`;
    const [totals, hourly, tiers, routes] = await Promise.all([
      this.ds.query(`SELECT type, sum(${n})::int AS n, count(DISTINCT subject)::int AS subjects FROM security_events WHERE ${window} GROUP BY type`, params) as Promise<
        Array<{ type: string; n: number; subjects: number }>
      >,
      this.ds.query(`SELECT date_trunc('hour', occurred_at) AS hour, type, sum(${n})::int AS n FROM security_events WHERE ${window} GROUP BY 1, 2`, params) as Promise<
        Array<{ hour: Date; type: string; n: number }>
      >,
      this.ds.query(`SELECT details->>'tier' AS k, sum(${n})::int AS n FROM security_events WHERE type = 'rate_limited' AND ${window} GROUP BY 1`, params) as Promise<
        Array<{ k: string | null; n: number }>
      >,
      this.ds.query(`SELECT details->>'route' AS k, sum(${n})::int AS n FROM security_events WHERE type = 'rate_limited' AND ${window} GROUP BY 1`, params) as Promise<
        Array<{ k: string | null; n: number }>
      >,
    ]);
    const total = (t: SecurityEventType) => totals.find((r) => r.type === t)?.n ?? 0;
    const byKey = (rows: Array<{ k: string | null; n: number }>) => Object.fromEntries(rows.map((r) => [r.k ?? 'unknown', r.n]));
    const series: SecurityMetricsHour[] = [];
    for (let h = Math.floor(start.getTime() / HOUR_MS) * HOUR_MS; h <= end.getTime(); h += HOUR_MS) {
      const of = (t: SecurityEventType) => hourly.find((r) => r.type === t && new Date(r.hour).getTime() === h)?.n ?? 0;
      series.push({
        hour: new Date(h).toISOString(),
        failed_logins: of('login_failed'),
        lockouts: of('account_locked'),
        token_reuse: of('token_reuse_detected'),
        signature_failures: of('signature_failure'),
        rate_limit_rejections: of('rate_limited'),
      });
    }
    return {
      window_start: start.toISOString(),
      window_end: end.toISOString(),
      failed_logins: total('login_failed'),
      lockouts: total('account_locked'),
      token_reuse: total('token_reuse_detected'),
      accounts_targeted: totals.find((r) => r.type === 'login_failed')?.subjects ?? 0,
      signature_failures: total('signature_failure'),
      rate_limit_rejections: total('rate_limited'),
      rate_limit_rejections_by_tier: byKey(tiers),
      rate_limit_rejections_by_route: byKey(routes),
      series,
    };
  }
}

const HOUR_MS = 3_600_000;
