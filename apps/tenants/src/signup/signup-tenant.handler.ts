import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { IdentityEventTypes, UserEmailVerifiedData, type CreateTenantRequest, type EventEnvelope } from '@saas/contracts';
import { OnEvent } from '@saas/messaging';
import { SERVICE_LOGGER } from '@saas/service-kit';
import { Tenant } from '../tenants/tenant.entity.js';
import { TenantsService } from '../tenants/tenants.service.js';

/**
 * Seed 002's registration with `tenant_name` + `tenant_domain`: once the new user has proven their
 * address (`user.email_verified`), their tenant is created with them as owner, exactly as a
 * `POST tenants` of theirs would (pending → the saga). It runs in the inbox transaction, so a
 * redelivered event creates nothing twice; a user who already owns a tenant of that name gets no second.
 */
@Injectable()
export class SignupTenantHandler {
  constructor(
    private readonly tenants: TenantsService,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  @OnEvent(IdentityEventTypes.UserEmailVerified, { data: UserEmailVerifiedData })
  async onEmailVerified(event: EventEnvelope<UserEmailVerifiedData>, tx: EntityManager): Promise<void> {
    const { user_id: userId, requested_tenant: requested } = event.data;
    if (!requested) return;
    if (await tx.getRepository(Tenant).existsBy({ ownerId: userId, name: requested.name.trim() })) return;
    const req = {
      caller: { actor: { type: 'user', id: userId }, roles: ['user'], tier: 'standard' },
      name: requested.name,
      ...(requested.domain ? { domain: requested.domain } : {}),
      contact_email: event.data.email,
    } as CreateTenantRequest;
    const tenant = await this.tenants.createIn(tx, req);
    this.logger.info({ tenant_id: tenant.id, user_id: userId }, 'created the tenant asked for at registration');
  }
}
