import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import {
  IdentityEventTypes,
  type Actor,
  type ApiKeyPrincipal,
  type ApiKeyView,
  type CreateApiKeyRequest,
  type CreatedApiKeyView,
  type ListApiKeysRequest,
  type ListResult,
  type RevokeApiKeyRequest,
  type VerifyApiKeyRequest,
} from '@saas/contracts';
import { parseApiKey } from '@saas/auth';
import { containsPattern, isUniqueViolation, paginate } from '@saas/database';
import { DomainException } from '@saas/errors';
import { EventOutbox } from '@saas/messaging';
import { CallerResolver } from '../common/caller.js';
import { digestsEqual, sha256Hex } from '../common/hashing.js';
import { UserTenant } from '../projections/user-tenant.entity.js';
import { effectivePlanTier } from '../users/effective-plan-tier.js';
import { User } from '../users/user.entity.js';
import { UsersException } from '../users/users.exception.js';
import { ApiKey } from './api-key.entity.js';
import { ApiKeysException } from './api-keys.exception.js';
import { Clock, SecureRandom } from '@saas/service-kit';

/** `last_used_at` is written at most this often per key, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;
const DUMMY_DIGEST = sha256Hex('no such key');

function toView(k: ApiKey): ApiKeyView {
  return {
    id: k.id,
    name: k.name,
    prefix: `sk_${k.prefix}`,
    user_id: k.userId,
    tenant_id: k.tenantId,
    scopes: k.scopes,
    created_at: k.createdAt.toISOString(),
    expires_at: k.expiresAt?.toISOString() ?? null,
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
    revoked_at: k.revokedAt?.toISOString() ?? null,
  };
}

/**
 * API keys `sk_<prefix>_<secret>`: shown once at creation, stored as the SHA-256 of the secret and
 * found by the prefix (not secret, shown in lists). A 256-bit random secret needs no slow hash.
 */
@Injectable()
export class ApiKeysService {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
    private readonly random: SecureRandom,
    private readonly callers: CallerResolver,
  ) {}

  async create(req: CreateApiKeyRequest): Promise<CreatedApiKeyView> {
    const principal = await this.callers.resolve(req.caller);
    const userId = req.user_id ?? principal.user.id;
    if (userId !== principal.user.id && !principal.isAdmin) throw UsersException.userNotFound();
    const owner = await this.ds.getRepository(User).findOneBy({ id: userId });
    if (!owner || !owner.isActive) throw UsersException.userNotFound();
    // A key bound to a tenant can only mint keys bound to that same tenant.
    const tenantId = req.tenant_id ?? principal.tenantId ?? null;
    if (principal.tenantId && tenantId !== principal.tenantId) throw ApiKeysException.tenantNotFound();
    if (tenantId && !principal.isAdmin) {
      const member = await this.ds.getRepository(UserTenant).existsBy({ userId, tenantId });
      if (!member) throw ApiKeysException.tenantNotFound();
    }
    const expiresAt = req.expires_at ? new Date(req.expires_at) : null;
    if (expiresAt && expiresAt <= this.clock.now()) throw DomainException.validation([{ field: 'expires_at', message: 'expires_at must be in the future' }]);

    for (let attempt = 0; ; attempt++) {
      const prefix = this.random.alphanumeric(8);
      const secret = this.random.token(32);
      try {
        return await this.ds.transaction(async (tx) => {
          const key = tx.getRepository(ApiKey).create({
            id: randomUUID(),
            prefix,
            secretHash: sha256Hex(secret),
            userId,
            tenantId,
            name: req.name.trim(),
            scopes: req.scopes ?? [],
            createdAt: this.clock.now(),
            expiresAt,
            lastUsedAt: null,
            revokedAt: null,
          });
          await tx.getRepository(ApiKey).save(key);
          const view = toView(key);
          await this.outbox.add(tx, {
            type: IdentityEventTypes.ApiKeyCreated,
            data: { api_key_id: key.id, user_id: userId, tenant_id: tenantId, name: view.name, prefix: view.prefix, scopes: view.scopes, expires_at: view.expires_at },
            actor: principal.actor,
            tenantId,
          });
          return { ...view, key: `sk_${prefix}_${secret}` };
        });
      } catch (err) {
        if (attempt < 2 && isUniqueViolation(err, 'api_keys_prefix_key')) continue;
        throw err;
      }
    }
  }

  async list(req: ListApiKeysRequest): Promise<ListResult<ApiKeyView>> {
    const principal = await this.callers.resolve(req.caller);
    const userId = req.user_id ?? principal.user.id;
    if (userId !== principal.user.id && !principal.isAdmin) throw UsersException.userNotFound();
    const qb = this.ds.getRepository(ApiKey).createQueryBuilder('k').where('k.user_id = :userId', { userId });
    if (req.search) qb.andWhere('(k.name ILIKE :q OR k.prefix ILIKE :q)', { q: containsPattern(req.search) });
    const page = await paginate(qb, req, {
      orderable: { created_at: 'createdAt', last_used_at: 'lastUsedAt', name: 'name' },
      defaultOrder: { created_at: 'DESC' },
    });
    return { count: page.count, results: page.results.map(toView) };
  }

  async revoke(req: RevokeApiKeyRequest): Promise<ApiKeyView> {
    const principal = await this.callers.resolve(req.caller);
    return this.ds.transaction(async (tx) => {
      const key = await tx.getRepository(ApiKey).findOne({ where: { id: req.id }, lock: { mode: 'pessimistic_write' } });
      if (!key || (key.userId !== principal.user.id && !principal.isAdmin)) throw ApiKeysException.keyNotFound();
      if (!key.revokedAt) {
        key.revokedAt = this.clock.now();
        await tx.getRepository(ApiKey).update({ id: key.id }, { revokedAt: key.revokedAt });
        await this.outbox.add(tx, {
          type: IdentityEventTypes.ApiKeyRevoked,
          data: { api_key_id: key.id, user_id: key.userId, prefix: `sk_${key.prefix}`, reason: 'revoked' },
          actor: principal.actor,
          tenantId: key.tenantId,
        });
      }
      return toView(key);
    });
  }

  /** When a user is deactivated: every live key goes, each with its event. Returns how many. */
  async revokeAllForUser(tx: EntityManager, userId: string, actor: Actor): Promise<number> {
    const live = await tx.getRepository(ApiKey).find({ where: { userId, revokedAt: IsNull() } });
    const now = this.clock.now();
    for (const key of live) {
      await tx.getRepository(ApiKey).update({ id: key.id }, { revokedAt: now });
      await this.outbox.add(tx, {
        type: IdentityEventTypes.ApiKeyRevoked,
        data: { api_key_id: key.id, user_id: userId, prefix: `sk_${key.prefix}`, reason: 'user_deactivated' },
        actor,
        tenantId: key.tenantId,
      });
    }
    return live.length;
  }

  async verify(req: VerifyApiKeyRequest): Promise<ApiKeyPrincipal> {
    const parsed = parseApiKey(req.key);
    const key = parsed
      ? await this.ds.getRepository(ApiKey).findOne({ where: { prefix: parsed.prefix }, relations: { user: true } })
      : null;
    const matches = digestsEqual(key?.secretHash ?? DUMMY_DIGEST, sha256Hex(parsed?.secret ?? ''));
    const now = this.clock.now();
    if (!key || !matches || key.revokedAt || (key.expiresAt && key.expiresAt <= now) || !key.user?.isActive) {
      throw ApiKeysException.invalid();
    }
    await this.touch(key, now);
    return {
      api_key_id: key.id,
      user_id: key.userId,
      email: key.user.email,
      roles: [key.user.role],
      tier: await effectivePlanTier(this.ds.manager, key.user),
      tenant_id: key.tenantId,
      scopes: key.scopes,
    };
  }

  private async touch(key: ApiKey, now: Date): Promise<void> {
    const last = Math.max(this.lastTouched.get(key.id) ?? 0, key.lastUsedAt?.getTime() ?? 0);
    if (now.getTime() - last < LAST_USED_RESOLUTION_MS) return;
    this.lastTouched.set(key.id, now.getTime());
    if (this.lastTouched.size > 10_000) this.lastTouched.clear();
    // Conditional, so N replicas verifying the same key still write about once a minute.
    await this.ds
      .createQueryBuilder()
      .update(ApiKey)
      .set({ lastUsedAt: now })
      .where('id = :id AND (last_used_at IS NULL OR last_used_at < :before)', { id: key.id, before: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) })
      .execute();
  }
}
