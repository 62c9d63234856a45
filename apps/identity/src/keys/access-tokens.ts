import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_HEADER_TYPE, ACCESS_TOKEN_TYPE } from '@saas/contracts';
import { SERVICE_CONFIG, Clock } from '@saas/service-kit';
import type { IdentityConfig } from '../config.js';
import type { PlanTier, User } from '../users/user.entity.js';
import { SigningKeysService } from './signing-keys.service.js';

export type AccessTokenSettings = Pick<IdentityConfig, 'ACCESS_TOKEN_TTL_S' | 'JWT_ISSUER' | 'JWT_AUDIENCE'>;

/** Issues short-lived access JWTs (RS256, `typ: at+jwt`) with the claims the gateway authorizes from. */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: AccessTokenSettings,
  ) {}

  get ttlSeconds(): number {
    return this.config.ACCESS_TOKEN_TTL_S;
  }

  /** `tier` is the user's effective tier (effective-plan-tier.ts): the plans, or an admin's override. */
  async issue(user: Pick<User, 'id' | 'email' | 'role' | 'emailVerifiedAt'>, sessionId: string, tier: PlanTier): Promise<string> {
    const key = await this.keys.active();
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    return new SignJWT({
      typ: ACCESS_TOKEN_TYPE,
      roles: [user.role],
      tier,
      email: user.email,
      email_verified: user.emailVerifiedAt !== null,
      sid: sessionId,
    })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: key.kid, typ: ACCESS_TOKEN_HEADER_TYPE })
      .setIssuer(this.config.JWT_ISSUER)
      .setAudience(this.config.JWT_AUDIENCE)
      .setSubject(user.id)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.config.ACCESS_TOKEN_TTL_S)
      .setJti(randomUUID())
      .sign(key.privateKey);
  }
}
