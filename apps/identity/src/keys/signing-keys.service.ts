import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_RSA_MODULUS_BITS, IdentityEventTypes, type Actor, type JwksResponse, type RotateKeysResponse } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { SERVICE_CONFIG, SERVICE_LOGGER, Clock, ScheduledJobs, SecureRandom } from '@saas/service-kit';
import { DEV_KEY_ENCRYPTION_SECRET, type IdentityConfig } from '../config.js';
import { KeyEncryption } from './key-encryption.js';
import { SigningKey } from './signing-key.entity.js';

export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyObject;
}

const ROTATION_LOCK = 'identity:signing-key-rotation';
/** Replicas re-read the active key this often, so one that did not rotate picks the new key up. */
const ACTIVE_KEY_CACHE_MS = 10_000;

/**
 * RSA (RS256) signing keys: one active, older ones retired but still published in the JWKS until the
 * last token they signed has expired. Rotates on demand (admin RPC), when the active key is older
 * than KEY_ROTATION_DAYS, and when it is of another algorithm than ACCESS_TOKEN_ALGORITHM (a
 * database from before the switch from EdDSA). Checked at boot and periodically (ScheduledJobs, one
 * replica per check); a rotation serialises on an advisory lock and re-checks inside it, so a due
 * rotation happens once whoever asks.
 */
@Injectable()
export class SigningKeysService implements OnApplicationBootstrap {
  private readonly encryption: KeyEncryption;
  private cached?: { key: ActiveSigningKey; loadedAt: number };

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
    private readonly random: SecureRandom,
    private readonly jobs: ScheduledJobs,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    if (!config.KEY_ENCRYPTION_SECRET) {
      logger.warn('KEY_ENCRYPTION_SECRET is not set: signing keys are encrypted with a development-only secret. Set it in any shared environment.');
    }
    this.encryption = new KeyEncryption(config.KEY_ENCRYPTION_SECRET ?? DEV_KEY_ENCRYPTION_SECRET);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.rotateIfDue();
    this.jobs.every({ name: 'identity.signing-key-rotation', everyMs: this.config.KEY_ROTATION_CHECK_S * 1000, run: () => this.rotateIfDue() });
  }

  /** The key to sign with now. */
  async active(): Promise<ActiveSigningKey> {
    if (this.cached && Date.now() - this.cached.loadedAt < ACTIVE_KEY_CACHE_MS) return this.cached.key;
    let row = await this.ds.getRepository(SigningKey).findOne({ where: { status: 'active' }, order: { createdAt: 'DESC' } });
    if (!row) {
      await this.rotateIfDue();
      row = await this.ds.getRepository(SigningKey).findOneOrFail({ where: { status: 'active' }, order: { createdAt: 'DESC' } });
    }
    if (this.cached?.key.kid !== row.kid) {
      const der = this.encryption.decrypt(row.privateKeyEnc, row.kid);
      this.cached = { key: { kid: row.kid, privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) }, loadedAt: Date.now() };
    } else {
      this.cached.loadedAt = Date.now();
    }
    return this.cached.key;
  }

  /** Public keys that may have signed a still-valid token. */
  async jwks(): Promise<JwksResponse> {
    const horizon = new Date(this.clock.now().getTime() - this.config.ACCESS_TOKEN_TTL_S * 1000);
    const rows = await this.ds
      .getRepository(SigningKey)
      .createQueryBuilder('k')
      .where(`k.status = 'active' OR k.retired_at > :horizon`, { horizon })
      .orderBy('k.created_at', 'DESC')
      .getMany();
    return {
      // Keys of a retired algorithm can no longer verify anything the gateway accepts.
      keys: rows
        .filter((r) => r.algorithm === ACCESS_TOKEN_ALGORITHM)
        // RS256 keys: an RSA JWK (kty, n, e).
        .map((r) => ({ ...(r.publicJwk as { kty: string; n: string; e: string }), kid: r.kid, alg: r.algorithm, use: 'sig' as const })),
    };
  }

  async rotate(actor: Actor): Promise<RotateKeysResponse> {
    return this.ds.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ROTATION_LOCK]);
      return this.rotateLocked(tx, actor, 'requested');
    });
  }

  /** Rotates when there is no active key or it is older than KEY_ROTATION_DAYS. */
  async rotateIfDue(): Promise<RotateKeysResponse | null> {
    const rotated = await this.ds.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ROTATION_LOCK]);
      const current = await tx.getRepository(SigningKey).findOne({ where: { status: 'active' }, order: { createdAt: 'DESC' } });
      const maxAgeMs = this.config.KEY_ROTATION_DAYS * 86_400_000;
      const sameAlgorithm = current?.algorithm === ACCESS_TOKEN_ALGORITHM;
      if (current && sameAlgorithm && this.clock.now().getTime() - current.createdAt.getTime() < maxAgeMs) return null;
      return this.rotateLocked(tx, { type: 'system', id: null }, !current ? 'initial' : sameAlgorithm ? 'scheduled' : 'algorithm_changed');
    });
    if (rotated) this.logger.info({ kid: rotated.kid, previous_kid: rotated.previous_kid }, 'signing key rotated');
    return rotated;
  }

  private async rotateLocked(tx: EntityManager, actor: Actor, reason: string): Promise<RotateKeysResponse> {
    const repo = tx.getRepository(SigningKey);
    const now = this.clock.now();
    const previous = await repo.find({ where: { status: 'active' } });
    if (previous.length > 0) await repo.update(previous.map((p) => p.kid), { status: 'retired', retiredAt: now });

    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: ACCESS_TOKEN_RSA_MODULUS_BITS });
    const kid = this.random.token(16);
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    await repo.insert({
      kid,
      algorithm: ACCESS_TOKEN_ALGORITHM,
      publicJwk: publicKey.export({ format: 'jwk' }) as never,
      privateKeyEnc: this.encryption.encrypt(der, kid),
      status: 'active',
      createdAt: now,
      retiredAt: null,
    });
    const previousKid = previous[0]?.kid ?? null;
    await this.outbox.add(tx, {
      type: IdentityEventTypes.SigningKeyRotated,
      data: { signing_key_id: kid, kid, previous_kid: previousKid, reason },
      actor,
    });
    this.cached = undefined;
    return { kid, previous_kid: previousKid, rotated_at: now.toISOString() };
  }
}
