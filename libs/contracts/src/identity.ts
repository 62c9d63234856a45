import { Transform, Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CallerDto, ClientInfoDto } from './caller.js';
import { ListQueryDto } from './list.js';

/**
 * RPC subjects the identity service answers. The gateway maps its HTTP routes 1:1 onto these.
 *
 * ⚠️  Renaming a subject breaks every caller (gateway, `npm start`, other services): add new ones instead.
 */
export const IdentityRpc = Object.freeze({
  /** First platform admin (used by `npm start`); internal, never routed by the gateway. */
  bootstrapAdmin: 'rpc.identity.admin.bootstrap',

  // Anonymous (request carries `client`)
  register: 'rpc.identity.auth.register',
  verifyEmail: 'rpc.identity.auth.verify-email',
  resendVerification: 'rpc.identity.auth.resend-verification',
  login: 'rpc.identity.auth.login',
  refresh: 'rpc.identity.auth.refresh',
  forgotPassword: 'rpc.identity.auth.password.forgot',
  resetPassword: 'rpc.identity.auth.password.reset',
  jwks: 'rpc.identity.keys.jwks',

  // On behalf of a user (request carries `caller`)
  logout: 'rpc.identity.auth.logout',
  me: 'rpc.identity.auth.me',
  updateMe: 'rpc.identity.auth.me.update',
  rotateKeys: 'rpc.identity.keys.rotate',
  usersList: 'rpc.identity.users.list',
  usersCreate: 'rpc.identity.users.create',
  usersGet: 'rpc.identity.users.get',
  usersUpdate: 'rpc.identity.users.update',
  usersDelete: 'rpc.identity.users.delete',
  usersTenants: 'rpc.identity.users.tenants',
  usersOwnedTenants: 'rpc.identity.users.owned-tenants',
  usersSubscriptions: 'rpc.identity.users.subscriptions',
  /** Admins: counts for `admin/metrics/platform`. */
  usersStats: 'rpc.identity.users.stats',
  apiKeysList: 'rpc.identity.api-keys.list',
  apiKeysCreate: 'rpc.identity.api-keys.create',
  apiKeysRevoke: 'rpc.identity.api-keys.revoke',
  auditLogsList: 'rpc.identity.audit.logs.list',
  securityMetrics: 'rpc.identity.security.metrics',

  // Gateway → identity, credential check (request carries the key only)
  apiKeysVerify: 'rpc.identity.api-keys.verify',
  /** Gateway → identity: is this session still live? Asked only while the revocation list is not trusted. */
  sessionsCheck: 'rpc.identity.sessions.check',
});
export type IdentityRpcSubject = (typeof IdentityRpc)[keyof typeof IdentityRpc];

/**
 * Event types the identity service publishes (`events.<type>`). Public contract: add, never rename.
 * (`user.created/updated/deleted` are also in EventTypes.)
 */
export const IdentityEventTypes = Object.freeze({
  UserCreated: 'user.created',
  UserUpdated: 'user.updated',
  UserDeleted: 'user.deleted',
  UserLoggedIn: 'user.logged_in',
  UserLoggedOut: 'user.logged_out',
  UserPasswordReset: 'user.password_reset',
  ApiKeyCreated: 'api_key.created',
  ApiKeyRevoked: 'api_key.revoked',
  SigningKeyRotated: 'signing_key.rotated',
  SecurityAccountLocked: 'security.account_locked',
  SecurityTokenReuseDetected: 'security.token_reuse_detected',
} as const);

/** Tenant and subscription events identity projects (published by tenants / billing). */
export const IdentityProjectedEventTypes = Object.freeze({
  TenantCreated: 'tenant.created',
  TenantMemberAdded: 'tenant.member_added',
  TenantMemberRemoved: 'tenant.member_removed',
  TenantDeleted: 'tenant.deleted',
  SubscriptionCreated: 'subscription.created',
  SubscriptionUpdated: 'subscription.updated',
} as const);

/** Error codes of the identity service (status in parentheses). */
export const IdentityErrorCodes = Object.freeze({
  /** 401: wrong email/username or password, or a deactivated account; identical for unknown accounts. */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** 429 with `retry_after` (seconds): too many failed logins for this account (from this client). */
  ACCOUNT_LOCKED: 'ACCOUNT_LOCKED',
  /** 401: refresh, verification or reset token unknown, expired, used or revoked. */
  INVALID_TOKEN: 'INVALID_TOKEN',
  /** 404: no such user, or one the caller may not see. */
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  /** 404 */
  API_KEY_NOT_FOUND: 'API_KEY_NOT_FOUND',
  /** 409: username (or email, for admin create/update) already taken. */
  USER_CONFLICT: 'USER_CONFLICT',
} as const);

export const UserRoles = Object.freeze(['user', 'admin'] as const);
export type UserRoleName = (typeof UserRoles)[number];
export const UserTiers = Object.freeze(['standard', 'premium', 'enterprise'] as const);
export type UserTier = (typeof UserTiers)[number];

/** `typ` claim of access tokens (the JOSE header `typ` is `at+jwt`, RFC 9068). */
export const ACCESS_TOKEN_TYPE = 'access';
export const ACCESS_TOKEN_HEADER_TYPE = 'at+jwt';
/**
 * RS256 (not EdDSA): the gateway verifies with passport-jwt, whose `jsonwebtoken` has no EdDSA
 * (docs/decisions/0005-jwt-verification.md). Exactly one algorithm is ever accepted.
 */
export const ACCESS_TOKEN_ALGORITHM = 'RS256';
/** Size of the RSA signing keys identity generates. */
export const ACCESS_TOKEN_RSA_MODULUS_BITS = 2048;

/** Claims of an identity access token. */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  exp: number;
  iat: number;
  jti: string;
  typ: typeof ACCESS_TOKEN_TYPE;
  roles: string[];
  tier: string;
  email: string;
  email_verified: boolean;
  /** Session (refresh-token family) id: pass it as `session_id` to logout. */
  sid: string;
}

// ---------------------------------------------------------------- shared pieces

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$/;
const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);


class AnonymousRequest {
  @IsOptional()
  @ValidateNested()
  @Type(() => ClientInfoDto)
  client?: ClientInfoDto;
}

class CallerRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;
}

class CallerListRequest extends ListQueryDto {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;
}

// ---------------------------------------------------------------- auth (anonymous)

export class RegisterRequest extends AnonymousRequest {
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @IsString()
  @MaxLength(256)
  password!: string;

  /** Optional; when present it must equal `password`. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  password_confirm?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  full_name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  first_name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  last_name?: string;

  /** With `tenant_domain`: a tenant to create for the new user (carried in `user.created` as `requested_tenant`). */
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(100)
  tenant_name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(253)
  tenant_domain?: string;
}

/** The one answer of register, resend-verification and forgot-password (202), whatever the email. */
export interface AcceptedResponse {
  status: 'accepted';
  message: string;
}

export class VerifyEmailRequest extends AnonymousRequest {
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  token!: string;
}

export interface VerifyEmailResponse {
  email_verified: true;
}

export class ResendVerificationRequest extends AnonymousRequest {
  @IsEmail()
  @MaxLength(254)
  email!: string;
}

/** `email` or `username` (exactly one) plus `password`. */
export class LoginRequest extends AnonymousRequest {
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(254)
  username?: string;

  @IsString()
  @MaxLength(256)
  password!: string;
}

export class RefreshRequest extends AnonymousRequest {
  @IsString()
  @MaxLength(200)
  refresh_token!: string;
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  /** Seconds until the access token expires. */
  expires_in: number;
  refresh_expires_in: number;
  user: UserView;
}

export class ForgotPasswordRequest extends AnonymousRequest {
  @IsEmail()
  @MaxLength(254)
  email!: string;
}

export class ResetPasswordRequest extends AnonymousRequest {
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  token!: string;

  @IsString()
  @MaxLength(256)
  password!: string;
}

export interface ResetPasswordResponse {
  password_reset: true;
}

export class JwksRequest extends AnonymousRequest {}

/** RFC 7517 key set (public keys only). */
export interface JwksResponse {
  keys: Array<Record<string, unknown> & { kid: string; kty: string; alg: string; use: 'sig' }>;
}

// ---------------------------------------------------------------- auth (caller)

/**
 * Ends one session: the family of `refresh_token` if given, else the session `session_id` (the
 * access token's `sid`), else every session of the caller.
 */
export class LogoutRequest extends CallerRequest {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  refresh_token?: string;

  @IsOptional()
  @IsUUID()
  session_id?: string;
}

export interface LogoutResponse {
  sessions_ended: number;
}

/** What `rpc.identity.auth.logout` answers: the gateway refuses the ended sessions before it answers (not returned over HTTP). */
export interface LogoutRpcResponse extends LogoutResponse {
  session_ids: string[];
}

export class MeRequest extends CallerRequest {}

/** What a user may change about themselves (no `role`, `is_active`, `email`, `tier`: unknown fields are refused). */
export class UpdateMeRequest extends CallerRequest {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  full_name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  first_name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  last_name?: string;

  @IsOptional()
  @Matches(USERNAME, { message: 'username must be 3-32 letters, digits, "_", "." or "-", starting with a letter or digit' })
  username?: string;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  /** With `current_password`: changes the password (and ends every other session). */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  password?: string;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  current_password?: string;
}

export class RotateKeysRequest extends CallerRequest {}

export class UsersStatsRequest extends CallerRequest {}

/** `rpc.identity.users.stats`. */
export interface UsersStats {
  total: number;
  active: number;
  inactive: number;
  admins: number;
  email_verified: number;
  created_last_24h: number;
  created_last_7d: number;
  logged_in_last_24h: number;
  by_plan_tier: Record<string, number>;
}

export interface RotateKeysResponse {
  kid: string;
  previous_kid: string | null;
  rotated_at: string;
}

// ---------------------------------------------------------------- users

export interface UserView {
  id: string;
  email: string;
  username: string | null;
  first_name: string;
  last_name: string;
  full_name: string;
  role: UserRoleName;
  /** Plan tier (gateway rate limits). */
  tier: UserTier;
  is_active: boolean;
  email_verified: boolean;
  metadata: Record<string, unknown>;
  last_login: string | null;
  created_at: string;
  updated_at: string;
}

export class ListUsersRequest extends CallerListRequest {
  @IsOptional()
  @IsIn(UserRoles)
  role?: UserRoleName;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  is_active?: boolean;
}

class UserFieldsDto extends CallerRequest {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  full_name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  first_name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  last_name?: string;

  @IsOptional()
  @Matches(USERNAME, { message: 'username must be 3-32 letters, digits, "_", "." or "-", starting with a letter or digit' })
  username?: string | null;

  @IsOptional()
  @IsIn(UserRoles)
  role?: UserRoleName;

  @IsOptional()
  @IsIn(UserTiers)
  tier?: UserTier;

  @IsOptional()
  @IsBoolean()
  is_active?: boolean;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

/** Admin only. */
export class CreateUserRequest extends UserFieldsDto {
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @IsString()
  @MaxLength(256)
  password!: string;

  /** Admin-created accounts may be marked verified at once. */
  @IsOptional()
  @IsBoolean()
  email_verified?: boolean;
}

export class UserRefRequest extends CallerRequest {
  @IsUUID()
  id!: string;
}

/**
 * PUT and PATCH `users/{id}` (absent fields are unchanged). Self: names, username, metadata only;
 * `role`/`is_active`/`tier`/`email`/`password` of oneself → 403 FORBIDDEN. Admin: everything.
 */
export class UpdateUserRequest extends UserFieldsDto {
  @IsUUID()
  id!: string;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  password?: string;
}

export class UserListRequest extends CallerListRequest {
  @IsUUID()
  id!: string;
}

/** `users/{id}/tenants` and `owned-tenants` (from the tenant events identity projects). */
export interface UserTenantView {
  id: string;
  name: string | null;
  domain: string | null;
  role: string;
  is_active: boolean;
  created_at: string;
}

/** `users/{id}/subscriptions` (from the subscription events identity projects). */
export interface UserSubscriptionView {
  id: string;
  tenant_id: string | null;
  plan: string | null;
  status: string | null;
  is_active: boolean;
  start_date: string | null;
  end_date: string | null;
}

// ---------------------------------------------------------------- API keys

export class CreateApiKeyRequest extends CallerRequest {
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  /** Binds the key to one tenant the caller belongs to. */
  @IsOptional()
  @IsUUID()
  tenant_id?: string | null;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  scopes?: string[];

  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string | null;

  /** Admin only: create the key for another user. */
  @IsOptional()
  @IsUUID()
  user_id?: string;
}

export class ListApiKeysRequest extends CallerListRequest {
  /** Admin only: another user's keys. */
  @IsOptional()
  @IsUUID()
  user_id?: string;
}

export class RevokeApiKeyRequest extends CallerRequest {
  @IsUUID()
  id!: string;
}

/** `rpc.identity.sessions.check`: an access token's session (`sid`) and user (`sub`). */
export class CheckSessionRequest {
  @IsUUID()
  user_id!: string;

  @IsOptional()
  @IsUUID()
  session_id?: string;
}

/** Live: the user exists and is active, and the session (when named) is theirs and not ended. */
export interface SessionCheckView {
  active: boolean;
}

export class VerifyApiKeyRequest {
  @IsString()
  @MaxLength(200)
  key!: string;
}

export interface ApiKeyView {
  id: string;
  name: string;
  /** Non-secret: `sk_<8 chars>`. */
  prefix: string;
  user_id: string;
  tenant_id: string | null;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Answer of create: the key itself, shown this once. */
export interface CreatedApiKeyView extends ApiKeyView {
  key: string;
}

/** Who an API key acts for (answer of `api-keys.verify`). */
export interface ApiKeyPrincipal {
  api_key_id: string;
  user_id: string;
  email: string;
  roles: string[];
  tier: UserTier;
  tenant_id: string | null;
  scopes: string[];
}

// ---------------------------------------------------------------- audit and security

export class ListAuditLogsRequest extends CallerListRequest {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  resource_type?: string;

  /** The acting user. */
  @IsOptional()
  @IsUUID()
  user_id?: string;

  /** Required for non-admins, who must own the tenant. */
  @IsOptional()
  @IsUUID()
  tenant_id?: string;

  @IsOptional()
  @IsISO8601()
  date_from?: string;

  @IsOptional()
  @IsISO8601()
  date_to?: string;
}

export interface AuditLogView {
  id: string;
  event_id: string;
  event_type: string;
  /** The event type's verb, e.g. `created`. */
  action: string;
  resource_type: string;
  resource_id: string | null;
  tenant_id: string | null;
  actor_type: string;
  user: { id: string; email: string | null } | null;
  old_values: Record<string, unknown> | null;
  new_values: Record<string, unknown> | null;
  ip_address: string | null;
  user_agent: string | null;
  correlation_id: string | null;
  timestamp: string;
}

export class SecurityMetricsRequest extends CallerRequest {
  /** Window length in seconds, ending now (default 24 h, max 90 days). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(90 * 86_400)
  window_s?: number;
}

export interface SecurityMetricsResponse {
  window_start: string;
  window_end: string;
  failed_logins: number;
  lockouts: number;
  token_reuse: number;
  /** Accounts that had at least one failed login in the window. */
  accounts_targeted: number;
}
