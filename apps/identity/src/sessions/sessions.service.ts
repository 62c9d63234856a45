import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { SERVICE_CONFIG, Clock, SecureRandom } from '@saas/service-kit';
import { sha256Hex } from '../common/hashing.js';
import type { IdentityConfig } from '../config.js';
import { SecurityEventsService } from '../security/security-events.service.js';
import { User } from '../users/user.entity.js';
import { RefreshToken } from './refresh-token.entity.js';
import { Session } from './session.entity.js';

export const REFRESH_TOKEN_PREFIX = 'rt_';

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export interface IssuedSession {
  sessionId: string;
  refreshToken: string;
  refreshExpiresIn: number;
}

export type RefreshOutcome =
  | { kind: 'ok'; user: User; session: IssuedSession }
  | { kind: 'invalid' }
  | { kind: 'reuse'; userId: string; sessionId: string };

/**
 * Sessions are refresh-token families. Every refresh exchanges the presented token for a new one
 * (rotation); a token presented a second time means it leaked (or raced), so the whole family is
 * revoked and a security event recorded: the thief and the owner both have to sign in again.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly random: SecureRandom,
    private readonly security: SecurityEventsService,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async start(tx: EntityManager, userId: string, client: ClientInfo): Promise<IssuedSession> {
    const now = this.clock.now();
    const sessionId = randomUUID();
    await tx.getRepository(Session).insert({
      id: sessionId,
      userId,
      createdAt: now,
      lastUsedAt: now,
      revokedAt: null,
      revokedReason: null,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    return this.issueToken(tx, sessionId, now);
  }

  private async issueToken(tx: EntityManager, sessionId: string, now: Date): Promise<IssuedSession> {
    const refreshToken = `${REFRESH_TOKEN_PREFIX}${this.random.token(32)}`;
    await tx.getRepository(RefreshToken).insert({
      id: randomUUID(),
      sessionId,
      tokenHash: sha256Hex(refreshToken),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.REFRESH_TOKEN_TTL_S * 1000),
      usedAt: null,
    });
    return { sessionId, refreshToken, refreshExpiresIn: this.config.REFRESH_TOKEN_TTL_S };
  }

  /** Exchanges a refresh token for a new one; revokes the family on reuse (committed even though the caller gets an error). */
  async refresh(presented: string, client: ClientInfo): Promise<RefreshOutcome> {
    if (!presented.startsWith(REFRESH_TOKEN_PREFIX)) return { kind: 'invalid' };
    return this.ds.transaction(async (tx) => {
      const now = this.clock.now();
      const token = await tx
        .getRepository(RefreshToken)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .where('t.token_hash = :hash', { hash: sha256Hex(presented) })
        .getOne();
      if (!token) return { kind: 'invalid' } as const;
      const session = await tx.getRepository(Session).createQueryBuilder('s').setLock('pessimistic_write').where('s.id = :id', { id: token.sessionId }).getOne();
      if (!session || session.revokedAt) return { kind: 'invalid' } as const;
      if (token.usedAt) {
        await this.revokeWhere(tx, { id: session.id }, 'refresh_token_reuse');
        await this.security.record(tx, {
          type: 'token_reuse_detected',
          userId: session.userId,
          subject: `user:${session.userId}`,
          ip: client.ip,
          userAgent: client.userAgent,
          details: { session_id: session.id, token_used_at: token.usedAt.toISOString() },
        });
        return { kind: 'reuse', userId: session.userId, sessionId: session.id } as const;
      }
      if (token.expiresAt <= now) return { kind: 'invalid' } as const;
      const user = await tx.getRepository(User).findOneBy({ id: session.userId });
      if (!user || !user.isActive) return { kind: 'invalid' } as const;
      await tx.getRepository(RefreshToken).update({ id: token.id }, { usedAt: now });
      await tx.getRepository(Session).update({ id: session.id }, { lastUsedAt: now, ip: client.ip ?? session.ip, userAgent: client.userAgent ?? session.userAgent });
      return { kind: 'ok', user, session: await this.issueToken(tx, session.id, now) } as const;
    });
  }

  /** The session a refresh token belongs to (any state), for logout. */
  /** One indexed query: the user is active and (when named) the session is theirs and not revoked. */
  async isLive(userId: string, sessionId?: string): Promise<boolean> {
    const rows: unknown[] = sessionId
      ? await this.ds.query(
          `SELECT 1 FROM users u JOIN sessions s ON s.user_id = u.id WHERE u.id = $1 AND u.is_active AND s.id = $2 AND s.revoked_at IS NULL`,
          [userId, sessionId],
        )
      : await this.ds.query(`SELECT 1 FROM users u WHERE u.id = $1 AND u.is_active`, [userId]);
    return rows.length > 0;
  }

  async sessionOfToken(tx: EntityManager, presented: string): Promise<Session | null> {
    const token = await tx.getRepository(RefreshToken).findOneBy({ tokenHash: sha256Hex(presented) });
    return token ? tx.getRepository(Session).findOneBy({ id: token.sessionId }) : null;
  }

  /** Revokes the user's live sessions (optionally one only); returns the ids revoked. */
  async revokeForUser(tx: EntityManager, userId: string, reason: string, sessionId?: string): Promise<string[]> {
    return this.revokeWhere(tx, sessionId ? { id: sessionId, userId } : { userId }, reason);
  }

  private async revokeWhere(tx: EntityManager, where: { id?: string; userId?: string }, reason: string): Promise<string[]> {
    const live = await tx.getRepository(Session).find({ where: { ...where, revokedAt: IsNull() }, select: { id: true } });
    if (live.length === 0) return [];
    const ids = live.map((s) => s.id);
    await tx.getRepository(Session).update(ids, { revokedAt: this.clock.now(), revokedReason: reason });
    return ids;
  }
}
