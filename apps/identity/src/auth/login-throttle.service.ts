import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SERVICE_CONFIG, Clock } from '@saas/service-kit';
import { sha256Hex } from '../common/hashing.js';
import type { IdentityConfig } from '../config.js';
import { SecurityEventsService } from '../security/security-events.service.js';
import { LoginThrottle } from './login-throttle.entity.js';

/** The row of a subject that counts failures from every client (the global ceiling). */
const ALL_CLIENTS = '*';

export type ThrottleVerdict = { locked: false } | { locked: true; retryAfterS: number };

export interface LoginAttempt {
  subject: string;
  client: string;
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
}

/**
 * Failed-login lockout that an attacker cannot turn against the owner:
 *
 * - Per (account, client IP): after LOGIN_LOCK_THRESHOLD failures in a row the pair is locked for
 *   LOGIN_LOCK_BASE_S, doubling with each further failure up to LOGIN_LOCK_MAX_S. Attempts refused
 *   while locked are not counted (they cannot extend the lock). A success from that IP resets it.
 * - Per account, all IPs together: LOGIN_GLOBAL_THRESHOLD failures within LOGIN_FAILURE_WINDOW_S
 *   lock the account for LOGIN_GLOBAL_LOCK_S — except for clients that signed in successfully
 *   within LOGIN_TRUSTED_CLIENT_S, so a distributed attack does not lock the owner out of their
 *   usual network.
 * - A password reset (a mailed single-use token) always works and clears both.
 * - Unknown identifiers are throttled exactly like accounts (subject = hash of what was typed), so
 *   the lockout does not reveal which accounts exist.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly security: SecurityEventsService,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  static subjectFor(userId: string | null, identifier: string): string {
    return userId ? `user:${userId}` : `unknown:${sha256Hex(identifier.trim().toLowerCase())}`;
  }

  static clientFor(ip: string | null | undefined): string {
    return ip?.trim() || 'unknown';
  }

  async check(subject: string, client: string): Promise<ThrottleVerdict> {
    const rows = await this.ds.getRepository(LoginThrottle).find({ where: [{ subject, client }, { subject, client: ALL_CLIENTS }] });
    const own = rows.find((r) => r.client === client);
    const global = rows.find((r) => r.client === ALL_CLIENTS);
    const now = this.clock.now().getTime();
    const trusted = !!own?.lastSuccessAt && now - own.lastSuccessAt.getTime() < this.config.LOGIN_TRUSTED_CLIENT_S * 1000;
    const until = Math.max(own?.lockedUntil?.getTime() ?? 0, trusted ? 0 : (global?.lockedUntil?.getTime() ?? 0));
    return until > now ? { locked: true, retryAfterS: Math.max(1, Math.ceil((until - now) / 1000)) } : { locked: false };
  }

  async recordFailure(attempt: LoginAttempt): Promise<void> {
    await this.ds.transaction(async (tx) => {
      const now = this.clock.now();
      const windowStart = new Date(now.getTime() - this.config.LOGIN_FAILURE_WINDOW_S * 1000);
      const own = await this.countFailure(tx, attempt.subject, attempt.client, now, windowStart);
      const global = await this.countFailure(tx, attempt.subject, ALL_CLIENTS, now, windowStart);
      await this.security.record(tx, { type: 'login_failed', userId: attempt.userId, subject: attempt.subject, ip: attempt.ip, userAgent: attempt.userAgent });

      const threshold = this.config.LOGIN_LOCK_THRESHOLD;
      if (own >= threshold) {
        const seconds = Math.min(this.config.LOGIN_LOCK_MAX_S, this.config.LOGIN_LOCK_BASE_S * 2 ** Math.min(30, own - threshold));
        await this.lock(tx, attempt, attempt.client, now, seconds, 'client', own);
      }
      if (global >= this.config.LOGIN_GLOBAL_THRESHOLD) {
        await this.lock(tx, attempt, ALL_CLIENTS, now, this.config.LOGIN_GLOBAL_LOCK_S, 'account', global);
      }
    });
  }

  async recordSuccess(subject: string, client: string): Promise<void> {
    await this.ds.query(
      `INSERT INTO login_throttles (subject, client, failures, last_success_at) VALUES ($1, $2, 0, $3)
       ON CONFLICT (subject, client) DO UPDATE SET failures = 0, locked_until = NULL, last_success_at = $3`,
      [subject, client, this.clock.now()],
    );
  }

  /** After a password reset: every lock and failure count of the account goes. */
  async clear(tx: EntityManager, userId: string): Promise<void> {
    await tx.query(`DELETE FROM login_throttles WHERE subject = $1`, [LoginThrottleService.subjectFor(userId, '')]);
  }

  private async countFailure(tx: EntityManager, subject: string, client: string, now: Date, windowStart: Date): Promise<number> {
    const [row]: Array<{ failures: number }> = await tx.query(
      `INSERT INTO login_throttles (subject, client, failures, last_failure_at) VALUES ($1, $2, 1, $3)
       ON CONFLICT (subject, client) DO UPDATE SET
         failures = CASE WHEN login_throttles.last_failure_at IS NULL OR login_throttles.last_failure_at < $4 THEN 1
                         ELSE login_throttles.failures + 1 END,
         last_failure_at = $3
       RETURNING failures`,
      [subject, client, now, windowStart],
    );
    return row!.failures;
  }

  private async lock(tx: EntityManager, attempt: LoginAttempt, client: string, now: Date, seconds: number, scope: 'client' | 'account', failures: number): Promise<void> {
    const until = new Date(now.getTime() + seconds * 1000);
    await tx.query(`UPDATE login_throttles SET locked_until = $3 WHERE subject = $1 AND client = $2`, [attempt.subject, client, until]);
    await this.security.record(tx, {
      type: 'account_locked',
      userId: attempt.userId,
      subject: attempt.subject,
      ip: attempt.ip,
      userAgent: attempt.userAgent,
      details: { scope, failures, locked_until: until.toISOString(), lock_seconds: seconds },
    });
  }
}
