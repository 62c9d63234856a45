import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor, CallerDto } from '@saas/contracts';
import { User } from '../users/user.entity.js';
import { CallerException } from './caller.exception.js';

/** A caller checked against the database: the acting user exists and is active. */
export interface Principal {
  user: User;
  /** Admin in the token *and* still admin now (a demoted admin's 15-minute token does not keep the power). */
  isAdmin: boolean;
  actor: Actor;
  /** Set when the credential is an API key bound to one tenant. */
  tenantId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Turns the `caller` the gateway forwards into a Principal. Only `caller.actor.id` (the user the
 * gateway authenticated, for JWTs and API keys alike) and `caller.roles` are read; whatever else a
 * request carries never grants anything. A deactivated or deleted user is refused here, so identity
 * operations stop at once even while an access token is still unexpired.
 */
@Injectable()
export class CallerResolver {
  constructor(private readonly ds: DataSource) {}

  async resolve(caller: CallerDto, tx?: EntityManager): Promise<Principal> {
    const id = caller.actor.id;
    if ((caller.actor.type !== 'user' && caller.actor.type !== 'api_key') || !id || !UUID.test(id)) {
      throw CallerException.unauthorized();
    }
    const user = await (tx ?? this.ds.manager).getRepository(User).findOneBy({ id });
    if (!user || !user.isActive) throw CallerException.unauthorized('This account is not active.');
    return {
      user,
      isAdmin: user.role === 'admin' && caller.roles.includes('admin'),
      actor: { type: caller.actor.type, id, ip: caller.actor.ip ?? null, user_agent: caller.actor.user_agent ?? null },
      tenantId: caller.tenant_id ?? null,
    };
  }

  async requireAdmin(caller: CallerDto): Promise<Principal> {
    const principal = await this.resolve(caller);
    if (!principal.isAdmin) throw CallerException.forbidden('Platform administrators only.');
    return principal;
  }
}
