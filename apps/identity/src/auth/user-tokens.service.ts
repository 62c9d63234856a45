import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { IsNull, MoreThan, type EntityManager } from 'typeorm';
import { sha256Hex } from '../common/hashing.js';
import { UserToken, type UserTokenPurpose } from './user-token.entity.js';
import { Clock, SecureRandom } from '@saas/service-kit';

/** Single-use, expiring tokens sent by mail (email verification, password reset). Only their hash is stored. */
@Injectable()
export class UserTokensService {
  constructor(
    private readonly clock: Clock,
    private readonly random: SecureRandom,
  ) {}

  /** A new token; older unused ones of the same purpose stop working. */
  async issue(tx: EntityManager, userId: string, purpose: UserTokenPurpose, ttlS: number): Promise<string> {
    const now = this.clock.now();
    await tx.getRepository(UserToken).update({ userId, purpose, usedAt: IsNull() }, { usedAt: now });
    const token = this.random.token(32);
    await tx.getRepository(UserToken).insert({
      id: randomUUID(),
      userId,
      purpose,
      tokenHash: sha256Hex(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlS * 1000),
      usedAt: null,
    });
    return token;
  }

  /** The live token (unused, unexpired), locked for the caller's transaction. */
  async find(tx: EntityManager, token: string, purpose: UserTokenPurpose): Promise<UserToken | null> {
    return tx.getRepository(UserToken).findOne({
      where: { tokenHash: sha256Hex(token), purpose, usedAt: IsNull(), expiresAt: MoreThan(this.clock.now()) },
      lock: tx.queryRunner?.isTransactionActive ? { mode: 'pessimistic_write' } : undefined,
    });
  }

  async markUsed(tx: EntityManager, id: string): Promise<void> {
    await tx.getRepository(UserToken).update({ id }, { usedAt: this.clock.now() });
  }
}
