import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  IdentityEventTypes,
  type AcceptedResponse,
  type Actor,
  type ClientInfoDto,
  type ForgotPasswordRequest,
  type LoginRequest,
  type LogoutRequest,
  type LogoutRpcResponse,
  type RefreshRequest,
  type RegisterRequest,
  type ResendVerificationRequest,
  type ResetPasswordRequest,
  type ResetPasswordResponse,
  type TokenResponse,
  type UpdateMeRequest,
  type UserView,
  type VerifyEmailRequest,
  type VerifyEmailResponse,
  type UserEmailVerifiedData,
} from '@saas/contracts';
import { isUniqueViolation } from '@saas/database';
import { DomainException, type FieldError } from '@saas/errors';
import { EventOutbox } from '@saas/messaging';
import { SERVICE_CONFIG, Clock, SecureRandom } from '@saas/service-kit';
import type { MeRequest } from '@saas/contracts';
import { CallerResolver, type Principal } from '../common/caller.js';
import type { IdentityConfig } from '../config.js';
import { AccessTokenIssuer } from '../keys/access-tokens.js';
import { MailDispatcher } from '../mail/mail-dispatcher.js';
import { MailTemplates } from '../mail/mail-templates.js';
import { SessionsService, type ClientInfo } from '../sessions/sessions.service.js';
import { effectiveTiers } from '../users/effective-plan-tier.js';
import { PasswordHasher } from '../users/password-hasher.js';
import { passwordWeaknesses } from '../users/password-policy.js';
import { User } from '../users/user.entity.js';
import { applyProfileFields, auditableFields, diff, normalizeEmail, resolveNames, toUserView, viewOfUser } from '../users/user.view.js';
import { UsersException } from '../users/users.exception.js';
import { AuthException } from './auth.exception.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { UserTokensService } from './user-tokens.service.js';

const ACCEPTED: AcceptedResponse = Object.freeze({
  status: 'accepted',
  message: 'If the address can be used, an email is on its way to it.',
}) as AcceptedResponse;

function clientOf(client: ClientInfoDto | undefined): ClientInfo {
  return { ip: client?.ip ?? null, userAgent: client?.user_agent ?? null };
}

function actorFor(userId: string | null, client: ClientInfo): Actor {
  return { type: userId ? 'user' : 'system', id: userId, ip: client.ip, user_agent: client.userAgent };
}

/**
 * Registration, email verification, login, refresh, logout, the caller's own profile and password
 * reset. Register, resend-verification, login and forgot-password answer identically (status, body,
 * and the work done, including an argon2 verify against a dummy hash) whether or not the account
 * exists; mails go out in the background so their latency does not tell either.
 */
@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    private readonly random: SecureRandom,
    private readonly mail: MailDispatcher,
    private readonly tokens: UserTokensService,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottleService,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly callers: CallerResolver,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Computed once at boot, so the first login of an unknown account is not slower than the others.
    this.dummyHash = this.hasher.hash(this.random.token(24));
  }

  private link(path: string, token?: string): string {
    const base = this.config.PUBLIC_APP_URL.replace(/\/$/, '');
    return token ? `${base}${path}?token=${encodeURIComponent(token)}` : `${base}${path}`;
  }

  private assertStrong(password: string, email: string, field = 'password'): void {
    const weak = passwordWeaknesses(password, { email, field });
    if (weak.length > 0) throw DomainException.validation(weak, 'The password is too weak.');
  }

  // ------------------------------------------------------------------ register / verify

  async register(req: RegisterRequest): Promise<AcceptedResponse> {
    const client = clientOf(req.client);
    const email = normalizeEmail(req.email);
    const errors: FieldError[] = [];
    const names = resolveNames(req);
    if (!names || (!names.firstName && !names.lastName)) errors.push({ field: 'full_name', message: 'full_name or first_name and last_name are required' });
    if (req.password_confirm !== undefined && req.password_confirm !== req.password) errors.push({ field: 'password_confirm', message: 'passwords do not match' });
    if (req.tenant_domain !== undefined && req.tenant_name === undefined) errors.push({ field: 'tenant_name', message: 'tenant_name is required with tenant_domain' });
    errors.push(...passwordWeaknesses(req.password, { email }));
    if (errors.length > 0) throw DomainException.validation(errors);

    // Hash first, whatever happens next: both paths cost one argon2 hash.
    const passwordHash = await this.hasher.hash(req.password);
    const requestedTenant = req.tenant_name ? { name: req.tenant_name.trim(), domain: req.tenant_domain?.trim().toLowerCase() || null } : null;
    let outcome: { created: true; token: string } | { created: false };
    try {
      outcome = await this.ds.transaction(async (tx) => {
        if (await this.findByEmail(tx, email)) return { created: false } as const;
        const user = tx.getRepository(User).create({
          email,
          passwordHash,
          firstName: names!.firstName,
          lastName: names!.lastName,
          role: 'user',
          requestedTenant,
        });
        await tx.getRepository(User).save(user);
        const token = await this.tokens.issue(tx, user.id, 'email_verification', this.config.EMAIL_VERIFICATION_TTL_S);
        await this.outbox.add(tx, {
          type: IdentityEventTypes.UserCreated,
          data: {
            user_id: user.id,
            email,
            first_name: user.firstName,
            last_name: user.lastName,
            role: 'user',
            tier: 'standard',
            is_active: true,
            email_verified: false,
            requested_tenant: requestedTenant,
          },
          actor: actorFor(user.id, client),
        });
        return { created: true, token } as const;
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      outcome = { created: false }; // registered concurrently
    }
    if (outcome.created) {
      this.mail.dispatch(MailTemplates.verifyEmail(email, this.link('/verify-email', outcome.token), Math.round(this.config.EMAIL_VERIFICATION_TTL_S / 3600)));
    } else {
      this.mail.dispatch(MailTemplates.alreadyRegistered(email, this.link('/login'), this.link('/forgot-password')));
    }
    // Echoes the request only, so the answer stays the same whether or not the account existed.
    return requestedTenant ? { ...ACCEPTED, requested_tenant: { ...requestedTenant, created: 'after_email_verification' } } : ACCEPTED;
  }

  async verifyEmail(req: VerifyEmailRequest): Promise<VerifyEmailResponse> {
    const client = clientOf(req.client);
    const requested = await this.ds.transaction(async (tx) => {
      const token = await this.tokens.find(tx, req.token, 'email_verification');
      if (!token) throw AuthException.invalidToken('verification token');
      await this.tokens.markUsed(tx, token.id);
      const user = await tx.getRepository(User).findOneByOrFail({ id: token.userId });
      if (user.emailVerifiedAt) return null;
      await tx.getRepository(User).update({ id: user.id }, { emailVerifiedAt: this.clock.now() });
      await this.outbox.add(tx, {
        type: IdentityEventTypes.UserUpdated,
        data: { user_id: user.id, email: user.email, changes: { old: { email_verified: false }, new: { email_verified: true } } },
        actor: actorFor(user.id, client),
      });
      await this.announceVerified(tx, user, client);
      return user.requestedTenant;
    });
    return requested ? { email_verified: true, requested_tenant: { ...requested, status: 'creating' } } : { email_verified: true };
  }

  /**
   * `user.email_verified`, the first time an address is proven; the tenants service creates the
   * tenant asked for at registration from it (seed 002's `tenant_name` + `tenant_domain`).
   */
  private async announceVerified(tx: EntityManager, user: User, client: ReturnType<typeof clientOf>): Promise<void> {
    const data: UserEmailVerifiedData = { user_id: user.id, email: user.email, requested_tenant: user.requestedTenant };
    await this.outbox.add(tx, { type: IdentityEventTypes.UserEmailVerified, data, actor: actorFor(user.id, client) });
  }

  async resendVerification(req: ResendVerificationRequest): Promise<AcceptedResponse> {
    const email = normalizeEmail(req.email);
    const token = await this.ds.transaction(async (tx) => {
      const user = await this.findByEmail(tx, email);
      if (!user || !user.isActive || user.emailVerifiedAt) return null;
      return this.tokens.issue(tx, user.id, 'email_verification', this.config.EMAIL_VERIFICATION_TTL_S);
    });
    if (token) this.mail.dispatch(MailTemplates.verifyEmail(email, this.link('/verify-email', token), Math.round(this.config.EMAIL_VERIFICATION_TTL_S / 3600)));
    return ACCEPTED;
  }

  // ------------------------------------------------------------------ login / refresh / logout

  async login(req: LoginRequest): Promise<TokenResponse> {
    if ((req.email === undefined) === (req.username === undefined)) {
      throw DomainException.validation([{ field: 'email', message: 'give either email or username' }]);
    }
    const client = clientOf(req.client);
    const identifier = (req.email ?? req.username!).trim().toLowerCase();
    // A username never holds "@": one that does is an email (seeds 001, 002 and 004 log in with `username: <email>`).
    const byEmail = req.email !== undefined || identifier.includes('@');
    const user = await this.ds
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where(byEmail ? 'lower(u.email) = :id' : 'lower(u.username) = :id', { id: identifier })
      .getOne();
    const subject = LoginThrottleService.subjectFor(user?.id ?? null, identifier);
    const throttleClient = LoginThrottleService.clientFor(client.ip);

    const verdict = await this.throttle.check(subject, throttleClient);
    if (verdict.locked) throw AuthException.accountLocked(verdict.retryAfterS);

    // Unknown accounts verify against a dummy hash: same work, same time.
    const valid = await this.hasher.verify(user?.passwordHash ?? (await this.dummyHashValue()), req.password);
    if (!user || !valid || !user.isActive) {
      await this.throttle.recordFailure({ subject, client: throttleClient, userId: user?.id ?? null, ip: client.ip, userAgent: client.userAgent });
      throw AuthException.invalidCredentials();
    }
    await this.throttle.recordSuccess(subject, throttleClient);

    const now = this.clock.now();
    const session = await this.ds.transaction(async (tx) => {
      await tx.getRepository(User).update({ id: user.id }, { lastLogin: now });
      const issued = await this.sessions.start(tx, user.id, client);
      await this.outbox.add(tx, {
        type: IdentityEventTypes.UserLoggedIn,
        data: { user_id: user.id, session_id: issued.sessionId, method: req.email !== undefined ? 'email' : 'username' },
        actor: actorFor(user.id, client),
      });
      return issued;
    });
    user.lastLogin = now;
    return this.tokenResponse(user, session);
  }

  private async dummyHashValue(): Promise<string> {
    this.dummyHash ??= this.hasher.hash(this.random.token(24));
    return this.dummyHash;
  }

  async refresh(req: RefreshRequest): Promise<TokenResponse> {
    const outcome = await this.sessions.refresh(req.refresh_token, clientOf(req.client));
    if (outcome.kind !== 'ok') throw AuthException.invalidToken('refresh token');
    return this.tokenResponse(outcome.user, outcome.session);
  }

  private async tokenResponse(user: User, session: { sessionId: string; refreshToken: string; refreshExpiresIn: number }): Promise<TokenResponse> {
    const fresh = await this.ds.getRepository(User).findOneByOrFail({ id: user.id });
    const effective = (await effectiveTiers(this.ds.manager, [fresh])).get(fresh.id)!;
    const view = toUserView(fresh, effective);
    return {
      access_token: await this.accessTokens.issue(fresh, session.sessionId, effective.tier),
      refresh_token: session.refreshToken,
      token_type: 'bearer',
      expires_in: this.accessTokens.ttlSeconds,
      refresh_expires_in: session.refreshExpiresIn,
      user: view,
      user_id: view.id,
      name: view.name,
      email: view.email,
      roles: view.roles,
    };
  }

  async logout(req: LogoutRequest): Promise<LogoutRpcResponse> {
    const principal = await this.callers.resolve(req.caller);
    const userId = principal.user.id;
    const ended = await this.ds.transaction(async (tx) => {
      let ids: string[];
      if (req.refresh_token !== undefined) {
        const session = await this.sessions.sessionOfToken(tx, req.refresh_token);
        ids = session && session.userId === userId ? await this.sessions.revokeForUser(tx, userId, 'logout', session.id) : [];
      } else if (req.session_id !== undefined) {
        ids = await this.sessions.revokeForUser(tx, userId, 'logout', req.session_id);
      } else {
        ids = await this.sessions.revokeForUser(tx, userId, 'logout_all');
      }
      if (ids.length > 0) {
        await this.outbox.add(tx, {
          type: IdentityEventTypes.UserLoggedOut,
          data: { user_id: userId, session_ids: ids, all: req.refresh_token === undefined && req.session_id === undefined },
          actor: principal.actor,
        });
      }
      return ids;
    });
    return { sessions_ended: ended.length, session_ids: ended };
  }

  // ------------------------------------------------------------------ me

  async me(req: MeRequest): Promise<UserView> {
    return viewOfUser(this.ds.manager, (await this.callers.resolve(req.caller)).user);
  }

  async updateMe(req: UpdateMeRequest): Promise<UserView> {
    const principal = await this.callers.resolve(req.caller);
    const self = principal.user;
    let passwordHash: string | undefined;
    if (req.password !== undefined) {
      if (req.current_password === undefined) throw DomainException.validation([{ field: 'current_password', message: 'current_password is required to change the password' }]);
      const withHash = await this.ds.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash').where('u.id = :id', { id: self.id }).getOneOrFail();
      if (!(await this.hasher.verify(withHash.passwordHash, req.current_password))) {
        throw DomainException.validation([{ field: 'current_password', message: 'current_password is not correct' }]);
      }
      this.assertStrong(req.password, self.email);
      passwordHash = await this.hasher.hash(req.password);
    } else if (req.current_password !== undefined) {
      throw DomainException.validation([{ field: 'password', message: 'password is required with current_password' }]);
    }
    const updated = await this.applyProfileChanges(principal, req, passwordHash);
    if (passwordHash) this.mail.dispatch(MailTemplates.passwordChanged(updated.email));
    return viewOfUser(this.ds.manager, updated);
  }

  /** Names, username and metadata, plus an optional new password (ends every session). */
  private async applyProfileChanges(principal: Principal, req: UpdateMeRequest, passwordHash?: string): Promise<User> {
    const userId = principal.user.id;
    try {
      return await this.ds.transaction(async (tx) => {
        const repo = tx.getRepository(User);
        const user = await repo.findOneByOrFail({ id: userId });
        const before = auditableFields(user);
        applyProfileFields(user, req);
        await repo.update(
          { id: user.id },
          { firstName: user.firstName, lastName: user.lastName, username: user.username, metadata: user.metadata as never, ...(passwordHash ? { passwordHash } : {}) },
        );
        const changes = diff(before, auditableFields(user));
        const ended = passwordHash ? await this.sessions.revokeForUser(tx, user.id, 'password_changed') : [];
        if (Object.keys(changes.new).length > 0 || passwordHash) {
          await this.outbox.add(tx, {
            type: IdentityEventTypes.UserUpdated,
            data: { user_id: user.id, changes, ...(passwordHash ? { password_changed: true, sessions_ended: ended.length, session_ids: ended } : {}) },
            actor: principal.actor,
          });
        }
        return repo.findOneByOrFail({ id: user.id });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw UsersException.conflict('username');
      throw err;
    }
  }

  // ------------------------------------------------------------------ password reset

  async forgotPassword(req: ForgotPasswordRequest): Promise<AcceptedResponse> {
    const email = normalizeEmail(req.email);
    const token = await this.ds.transaction(async (tx) => {
      const user = await this.findByEmail(tx, email);
      if (!user || !user.isActive) return null;
      return this.tokens.issue(tx, user.id, 'password_reset', this.config.PASSWORD_RESET_TTL_S);
    });
    if (token) this.mail.dispatch(MailTemplates.resetPassword(email, this.link('/reset-password', token), Math.round(this.config.PASSWORD_RESET_TTL_S / 60)));
    return ACCEPTED;
  }

  async resetPassword(req: ResetPasswordRequest): Promise<ResetPasswordResponse> {
    const client = clientOf(req.client);
    // Check the token before the password, so a weak password does not use it up.
    const peek = await this.tokens.find(this.ds.manager, req.token, 'password_reset');
    if (!peek) throw AuthException.invalidToken('reset token');
    const owner = await this.ds.getRepository(User).findOneByOrFail({ id: peek.userId });
    this.assertStrong(req.password, owner.email);
    const passwordHash = await this.hasher.hash(req.password);

    const email = await this.ds.transaction(async (tx) => {
      const token = await this.tokens.find(tx, req.token, 'password_reset');
      if (!token) throw AuthException.invalidToken('reset token');
      await this.tokens.markUsed(tx, token.id);
      const user = await tx.getRepository(User).findOneByOrFail({ id: token.userId });
      // The mailed link proves the address too.
      await tx.getRepository(User).update({ id: user.id }, { passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? this.clock.now() });
      const ended = await this.sessions.revokeForUser(tx, user.id, 'password_reset');
      await this.throttle.clear(tx, user.id);
      await this.outbox.add(tx, {
        type: IdentityEventTypes.UserPasswordReset,
        data: { user_id: user.id, sessions_ended: ended.length, session_ids: ended },
        actor: actorFor(user.id, client),
      });
      if (!user.emailVerifiedAt) await this.announceVerified(tx, user, client);
      return user.email;
    });
    this.mail.dispatch(MailTemplates.passwordChanged(email));
    return { password_reset: true };
  }

  private findByEmail(tx: EntityManager, email: string): Promise<User | null> {
    return tx.getRepository(User).createQueryBuilder('u').where('lower(u.email) = :email', { email }).getOne();
  }
}
