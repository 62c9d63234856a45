import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { Clock, ScheduledJobs, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import type { IdentityConfig } from '../config.js';

export interface PurgeResult {
  sessions: number;
  refresh_tokens: number;
  user_tokens: number;
  login_throttles: number;
}

/**
 * Deletes what can no longer be used, IDENTITY_RETENTION_DAYS after it stopped being usable:
 * ended sessions (revoked, or whose newest refresh token expired) with their tokens, expired
 * refresh tokens of live sessions, expired or used verification and reset tokens, and login
 * throttles with no lock and no recent activity. Without it these tables only grow. Kept that long
 * because they answer questions after the fact ("which sessions did this user have last week?");
 * the audit log, kept separately, is never purged here. Hourly, once across replicas (ScheduledJobs:
 * replicas deleting the same rows at once would only contend for their locks).
 */
@Injectable()
export class IdentityHousekeeping implements OnApplicationBootstrap {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly jobs: ScheduledJobs,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.every({ name: 'identity.housekeeping', everyMs: this.config.IDENTITY_HOUSEKEEPING_INTERVAL_S * 1000, run: () => this.purge() });
  }

  async purge(now = this.clock.now()): Promise<PurgeResult> {
    const before = new Date(now.getTime() - this.config.IDENTITY_RETENTION_DAYS * 86_400_000);
    const count = (result: unknown) => (result as [unknown[], number])[1] ?? 0;
    const purged = await this.ds.transaction(async (tx) => ({
      // Tokens of these sessions go with them (ON DELETE CASCADE).
      sessions: count(
        await tx.query(
          `DELETE FROM sessions s
            WHERE (s.revoked_at IS NOT NULL AND s.revoked_at < $1)
               OR (s.revoked_at IS NULL AND s.created_at < $1
                   AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = s.id AND t.expires_at >= $1))`,
          [before],
        ),
      ),
      refresh_tokens: count(await tx.query(`DELETE FROM refresh_tokens WHERE expires_at < $1`, [before])),
      user_tokens: count(await tx.query(`DELETE FROM user_tokens WHERE expires_at < $1 OR used_at < $1`, [before])),
      login_throttles: count(
        await tx.query(
          `DELETE FROM login_throttles
            WHERE (locked_until IS NULL OR locked_until < $2)
              AND greatest(last_failure_at, last_success_at) < $1`,
          [before, now],
        ),
      ),
    }));
    if (Object.values(purged).some((n) => n > 0)) this.logger.info({ purged, older_than: before.toISOString() }, 'identity housekeeping purged unusable records');
    return purged;
  }
}
