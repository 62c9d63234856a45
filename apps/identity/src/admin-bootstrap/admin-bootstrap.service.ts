import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { EventTypes } from '@saas/contracts';
import { EventOutbox } from '@saas/messaging';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import { PasswordHasher } from '../users/password-hasher.js';
import { User } from '../users/user.entity.js';
import type { BootstrapAdminRequest, BootstrapAdminResult } from '@saas/contracts';

/**
 * Creates the first platform admin, once. `npm start` calls it over RPC (and prints what it
 * returns); containers set ADMIN_EMAIL/ADMIN_PASSWORD and get the same at boot. Once any admin
 * exists this does nothing, so restarts never reset a password.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly hasher: PasswordHasher,
    @Inject(SERVICE_CONFIG) private readonly config: Record<string, unknown>,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const email = this.config.ADMIN_EMAIL as string | undefined;
    const password = this.config.ADMIN_PASSWORD as string | undefined;
    if (!email || !password) return;
    const result = await this.ensureAdmin({ email, password });
    if (result.created) this.logger.info({ email: result.email }, 'first platform admin created');
  }

  async ensureAdmin(request: BootstrapAdminRequest): Promise<BootstrapAdminResult> {
    const generated = request.password ? undefined : randomBytes(18).toString('base64url');
    const passwordHash = await this.hasher.hash(request.password ?? generated!);
    return this.ds.transaction(async (tx) => {
      // Serialise concurrent bootstraps (several replicas starting at once).
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('identity:admin-bootstrap'))`);
      const existing = await tx.getRepository(User).findOne({ where: { role: 'admin' }, order: { createdAt: 'ASC' } });
      if (existing) return { created: false, email: existing.email };
      const email = request.email.trim().toLowerCase();
      const sameEmail = await tx.getRepository(User).createQueryBuilder('u').where('lower(u.email) = :email', { email }).getOne();
      let user: User;
      if (sameEmail) {
        // An existing account with that email is promoted rather than duplicated.
        await tx.getRepository(User).update({ id: sameEmail.id }, { role: 'admin', isActive: true, passwordHash });
        user = { ...sameEmail, role: 'admin' } as User;
      } else {
        user = await tx.getRepository(User).save(
          tx.getRepository(User).create({ email, passwordHash, role: 'admin', firstName: 'Platform', lastName: 'Admin', emailVerifiedAt: new Date() }),
        );
      }
      await this.outbox.add(tx, {
        type: sameEmail ? EventTypes.UserUpdated : EventTypes.UserCreated,
        data: { user_id: user.id, email: user.email, role: 'admin', is_active: true, first_name: user.firstName, last_name: user.lastName },
        actor: { type: 'system', id: null },
      });
      return { created: true, email, ...(generated ? { generated_password: generated } : {}) };
    });
  }
}
