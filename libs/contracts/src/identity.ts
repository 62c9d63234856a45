import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
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
import { IsOmittable, toBool } from './validation.js';
import { DOMAIN_PATTERN } from './tenants.js';

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
  /** Name, email and active flag of up to 100 users by id (the gateway shows a tenant's members with it, after the tenants service authorized the caller). */
  usersProfiles: 'rpc.identity.users.profiles',
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
  /** Security events counted elsewhere (the gateway's 429s, inbound webhooks' bad signatures), in batches (the gateway and the webhooks service call it). */
  securityReport: 'rpc.identity.security.report',
  /** Threats detected from the security events, and the blocks in force (admins). */
  securityThreats: 'rpc.identity.security.threats.list',
  /** Block or unblock an IP, a CIDR or an API key (admins). */
  securityThreatAction: 'rpc.identity.security.threats.action',
  /** The blocks in force, polled by every gateway replica. */
  securityBlocksActive: 'rpc.identity.security.blocks.active',
  /** Security scans of the platform's configuration and tenants (admins). */
  securityScanStart: 'rpc.identity.security.scans.start',
  securityScanGet: 'rpc.identity.security.scans.get',
  securityScansList: 'rpc.identity.security.scans.list',

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
  /** A user proved their address (verification link, or a password reset); carries the tenant asked for at sign-up. */
  UserEmailVerified: 'user.email_verified',
  ApiKeyCreated: 'api_key.created',
  ApiKeyRevoked: 'api_key.revoked',
  SigningKeyRotated: 'signing_key.rotated',
  SecurityAccountLocked: 'security.account_locked',
  SecurityTokenReuseDetected: 'security.token_reuse_detected',
  /** An admin blocked an IP, a CIDR or an API key at the gateway; `security.unblocked` when it is lifted. */
  SecurityBlocked: 'security.blocked',
  SecurityUnblocked: 'security.unblocked',
} as const);

/** Tenant and subscription events identity projects (published by tenants / billing). */
export const IdentityProjectedEventTypes = Object.freeze({
  TenantCreated: 'tenant.created',
  TenantMemberAdded: 'tenant.member_added',
  TenantMemberRemoved: 'tenant.member_removed',
  TenantDeleted: 'tenant.deleted',
  TenantUpdated: 'tenant.updated',
  TenantStatusChanged: 'tenant.status_changed',
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
export const UserTierSources = Object.freeze(['plan', 'override'] as const);
export type UserTierSource = (typeof UserTierSources)[number];

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
  @IsOmittable()
  @IsString()
  @MaxLength(256)
  password_confirm?: string;

  @IsOmittable()
  @IsString()
  @MaxLength(200)
  full_name?: string;

  @IsOmittable()
  @IsString()
  @MaxLength(100)
  first_name?: string;

  @IsOmittable()
  @IsString()
  @MaxLength(100)
  last_name?: string;

  /** With `tenant_domain`: a tenant to create for the new user (carried in `user.created` as `requested_tenant`). */
  @IsOmittable()
  @IsString()
  @MinLength(2)
  @MaxLength(100)
  tenant_name?: string;

  @IsOmittable()
  @Matches(DOMAIN_PATTERN, { message: 'tenant_domain must be a valid domain name' })
  tenant_domain?: string;
}

/** The one answer of register, resend-verification and forgot-password (202), whatever the email. */
export interface AcceptedResponse {
  status: 'accepted';
  message: string;
  /** Registration with `tenant_name`: that tenant is created, with the new user as owner, once the email is verified. */
  requested_tenant?: { name: string; domain: string | null; created: 'after_email_verification' };
}

export class VerifyEmailRequest extends AnonymousRequest {
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  token!: string;
}

export interface VerifyEmailResponse {
  email_verified: true;
  /** The tenant asked for at registration, now being created (it appears in `GET tenants`). */
  requested_tenant?: { name: string; domain: string | null; status: 'creating' };
}

export class ResendVerificationRequest extends AnonymousRequest {
  @IsEmail()
  @MaxLength(254)
  email!: string;
}

/** `email` or `username` (exactly one) plus `password`. */
export class LoginRequest extends AnonymousRequest {
  @IsOmittable()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @IsOmittable()
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
  /** The user's id, name, email and roles at the top level too, as seed 004's clients read them. */
  user_id: string;
  name: string;
  email: string;
  roles: UserView['roles'];
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
  /** RS256 public keys: `n` and `e` are the RSA modulus and exponent (base64url). */
  keys: Array<Record<string, unknown> & { kid: string; kty: string; alg: string; use: 'sig'; n: string; e: string }>;
}

// ---------------------------------------------------------------- auth (caller)

/**
 * Ends one session: the family of `refresh_token` if given, else the session `session_id` (the
 * access token's `sid`), else every session of the caller.
 */
export class LogoutRequest extends CallerRequest {
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  refresh_token?: string;

  @IsOmittable()
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
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  full_name?: string;

  /** Alias of `full_name` (seed 004). */
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  name?: string;

  @IsOmittable()
  @IsString()
  @MaxLength(100)
  first_name?: string;

  @IsOmittable()
  @IsString()
  @MaxLength(100)
  last_name?: string;

  @IsOptional()
  @Matches(USERNAME, { message: 'username must be 3-32 letters, digits, "_", "." or "-", starting with a letter or digit' })
  username?: string;

  @IsOmittable()
  @IsObject()
  metadata?: Record<string, unknown>;

  /** With `current_password`: changes the password (and ends every other session). */
  @IsOmittable()
  @IsString()
  @MaxLength(256)
  password?: string;

  @IsOmittable()
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
  /** Same as `full_name` (seed 004). */
  name: string;
  role: UserRoleName;
  /** `role` as seed 004 spells it: `["user"]`, or `["user", "admin"]` for an admin. */
  roles: UserRoleName[];
  /**
   * The rate-limit tier the user's tokens and API keys carry: the plan of the live subscriptions the
   * user owns (the most generous one; `standard` without any), or the admin's override when one is set.
   */
  tier: UserTier;
  /** Where `tier` comes from: `plan` (the subscriptions), or `override` (set by an admin, see `tier_override`). */
  tier_source: UserTierSource;
  /** An admin's explicit override of the plan-driven tier; null when the plans decide. */
  tier_override: UserTier | null;
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
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  full_name?: string;

  /** Alias of `full_name` (seed 004 writes users with `name`). */
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  name?: string;

  @IsOmittable()
  @IsString()
  @MaxLength(100)
  first_name?: string;

  @IsOmittable()
  @IsString()
  @MaxLength(100)
  last_name?: string;

  @IsOptional()
  @Matches(USERNAME, { message: 'username must be 3-32 letters, digits, "_", "." or "-", starting with a letter or digit' })
  username?: string | null;

  @IsOmittable()
  @IsIn(UserRoles)
  role?: UserRoleName;

  /** Seed 004's spelling of the role: `["user"]` or `["user", "admin"]` (admin wins); `role` wins over it. */
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(UserRoles.length)
  @IsIn(UserRoles, { each: true })
  roles?: UserRoleName[];

  /** An explicit override of the plan-driven rate-limit tier (admins only); null removes it. */
  @IsOptional()
  @IsIn(UserTiers)
  tier?: UserTier | null;

  @IsOmittable()
  @IsBoolean()
  is_active?: boolean;

  @IsOmittable()
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
  @IsOmittable()
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

  @IsOmittable()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @IsOmittable()
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
  /** Window length in seconds, ending now (default 24 h, max 90 days); ignored when `date_from` is given. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(90 * 86_400)
  window_s?: number;

  /** Start of the range (ISO 8601); with `date_to` (default now). At most 90 days. */
  @IsOptional()
  @IsISO8601({ strict: true })
  date_from?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  date_to?: string;
}

/** One hour of the security metrics (`hour` is its start, UTC). */
export interface SecurityMetricsHour {
  hour: string;
  failed_logins: number;
  lockouts: number;
  token_reuse: number;
  signature_failures: number;
  rate_limit_rejections: number;
}

export interface SecurityMetricsResponse {
  window_start: string;
  window_end: string;
  failed_logins: number;
  lockouts: number;
  token_reuse: number;
  /** Accounts that had at least one failed login in the window. */
  accounts_targeted: number;
  /** Inbound provider webhooks refused for a bad or missing signature. */
  signature_failures: number;
  /** Requests the gateway refused with 429, in all, by tier and by route pattern. */
  rate_limit_rejections: number;
  rate_limit_rejections_by_tier: Record<string, number>;
  rate_limit_rejections_by_route: Record<string, number>;
  /** Hour by hour, oldest first, every hour of the window (zeros included). */
  series: SecurityMetricsHour[];
}

/** Kinds of security event reported to identity by other parts of the platform. */
export const ReportedSecurityEventTypes = Object.freeze(['rate_limited', 'signature_failure'] as const);
export type ReportedSecurityEventType = (typeof ReportedSecurityEventTypes)[number];

export class SecurityReportItem {
  @IsIn(ReportedSecurityEventTypes) type!: ReportedSecurityEventType;
  /** How many of them (a reporter sums them per interval). */
  @IsInt() @Min(1) @Max(1_000_000_000) count!: number;
  @IsISO8601() occurred_at!: string;
  /** rate_limited: the rate-limit tier and the route pattern. */
  @IsOptional() @IsString() @MaxLength(40) tier?: string;
  @IsOptional() @IsString() @MaxLength(300) route?: string;
  /** signature_failure: the provider and the source address. */
  @IsOptional() @IsString() @MaxLength(100) provider?: string;
  @IsOptional() @IsString() @MaxLength(64) ip?: string;
}

export class SecurityReportRequest {
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => SecurityReportItem)
  reports!: SecurityReportItem[];
}

/** The tenant a user asked for at registration (`tenant_name` + `tenant_domain`). */
export class RequestedTenantDto {
  @IsString() @MinLength(2) @MaxLength(100) name!: string;
  @IsOptional() @Matches(DOMAIN_PATTERN) domain!: string | null;
}

/** `user.email_verified` (the first time only). */
export class UserEmailVerifiedData {
  @IsUUID() user_id!: string;
  @IsEmail() email!: string;
  @IsOptional() @ValidateNested() @Type(() => RequestedTenantDto) requested_tenant!: RequestedTenantDto | null;
}

export class UserProfilesRequest {
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  ids!: string[];
}

/** `rpc.identity.users.profiles`: what a tenant's member list shows of each user. */
export interface UserProfile {
  id: string;
  name: string;
  email: string;
  is_active: boolean;
}

// ---------------------------------------------------------------- security: threats and blocks

export const BlockTargetTypes = Object.freeze(['ip', 'cidr', 'api_key'] as const);
export type BlockTargetType = (typeof BlockTargetTypes)[number];

export const ThreatTypes = Object.freeze(['credential_stuffing', 'token_reuse', 'signature_failure_burst', 'rate_limit_storm'] as const);
export type ThreatType = (typeof ThreatTypes)[number];

export class ListThreatsRequest extends CallerRequest {
  /** How far back to look (seconds, default 24 h, max 30 days). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(30 * 86_400)
  window_s?: number;
}

/** `POST security/threats`: block or unblock an IP, a CIDR or an API key (its id) at every gateway replica. */
export class ThreatActionRequest extends CallerRequest {
  @IsIn(['block', 'unblock'])
  action!: 'block' | 'unblock';

  @IsIn(BlockTargetTypes)
  target_type!: BlockTargetType;

  /** `203.0.113.7`, `203.0.113.0/24`, `2001:db8::/32`, or an API key's id. */
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  target!: string;

  /** Why (required to block). */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  /** When a block lifts by itself (ISO 8601, in the future); none: until unblocked. */
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;
}

export interface SecurityBlockView {
  id: string;
  target_type: BlockTargetType;
  target: string;
  reason: string;
  blocked_by: string | null;
  created_at: string;
  expires_at: string | null;
  unblocked_at: string | null;
  unblocked_by: string | null;
}

export interface ThreatView {
  /** Stable for the same kind of threat from the same source. */
  id: string;
  type: ThreatType;
  severity: 'low' | 'medium' | 'high' | 'critical';
  summary: string;
  source: { ip?: string | null; user_id?: string | null; route?: string | null; provider?: string | null; tier?: string | null };
  count: number;
  first_seen: string;
  last_seen: string;
  /** Whether a block in force covers its source. */
  blocked: boolean;
  /** What to block to stop it, when there is one. */
  suggested_block: { target_type: BlockTargetType; target: string } | null;
}

export interface ThreatsResponse {
  window_start: string;
  window_end: string;
  threats: ThreatView[];
  blocks: SecurityBlockView[];
}

/** `rpc.identity.security.blocks.active`: the blocks in force. */
export interface ActiveBlocks {
  blocks: Array<{ target_type: BlockTargetType; target: string; expires_at: string | null }>;
}

/** `security.blocked` / `security.unblocked`. */
export class SecurityBlockEventData {
  @IsUUID() block_id!: string;
  @IsIn(BlockTargetTypes) target_type!: BlockTargetType;
  @IsString() target!: string;
  @IsOptional() @IsString() reason!: string | null;
  @IsOptional() @IsISO8601() expires_at!: string | null;
}

// ---------------------------------------------------------------- security: scans

export const FindingSeverities = Object.freeze(['info', 'low', 'medium', 'high', 'critical'] as const);
export type FindingSeverity = (typeof FindingSeverities)[number];

export class FindingResourceDto {
  @IsString() @MaxLength(40) type!: string;
  @IsString() @MaxLength(200) id!: string;
}

/** One finding of a security scan: what is wrong, why it matters and how to fix it. */
export class SecurityFindingDto {
  /** Stable, upper case (`CORS_ANY_ORIGIN`, `API_KEY_NEVER_USED` …). */
  @IsString() @Matches(/^[A-Z][A-Z0-9_]{2,63}$/) code!: string;
  @IsIn(FindingSeverities) severity!: FindingSeverity;
  @IsString() @MaxLength(200) title!: string;
  @IsString() @MaxLength(2000) explanation!: string;
  @IsString() @MaxLength(2000) fix!: string;
  /** Which part of the platform said so (`gateway`, `identity`, …). */
  @IsString() @MaxLength(40) source!: string;
  /** The thing it is about, when it is one thing (`api_key`, its id). */
  @IsOptional() @ValidateNested() @Type(() => FindingResourceDto) resource?: FindingResourceDto | null;
}

export class StartSecurityScanRequest extends CallerRequest {
  /** What the gateway found in its own configuration (it is not on the bus as a service). */
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => SecurityFindingDto)
  gateway_findings!: SecurityFindingDto[];
}

export class SecurityScanRefRequest extends CallerRequest {
  @IsUUID() id!: string;
}

export class ListSecurityScansRequest extends CallerListRequest {}

export type SecurityScanStatus = 'running' | 'completed' | 'failed';

export interface SecurityScanView {
  id: string;
  status: SecurityScanStatus;
  status_url: string;
  requested_by: string | null;
  started_at: string;
  finished_at: string | null;
  /** Findings by severity. */
  summary: Record<FindingSeverity, number>;
  findings: SecurityFindingDto[];
  /** Parts of the platform that did not answer the scan (their findings are missing). */
  not_scanned: string[];
  error: string | null;
}

/** `rpc.<service>.security.findings`: a service's findings on its own configuration and data. */
export interface SecurityFindingsResponse {
  findings: SecurityFindingDto[];
}

// ---------------------------------------------------------------- event data (the event catalogue)

/**
 * `user.created`: a new account (self-registration, admin create, bootstrap admin). Registration also
 * sends `tier`, `email_verified` and `requested_tenant`; admin create every profile field.
 */
export class UserCreatedData {
  @IsUUID() user_id!: string;
  @IsString() email!: string;
  @IsOptional() @IsString() first_name!: string | null;
  @IsOptional() @IsString() last_name!: string | null;
  @IsString() role!: string;
  @IsBoolean() is_active!: boolean;
  @IsOptional() @IsString() username?: string | null;
  @IsOptional() @IsString() tier?: string;
  @IsOptional() @IsBoolean() email_verified?: boolean;
  @IsOptional() @IsObject() metadata?: Record<string, unknown>;
  @IsOptional() @IsObject() requested_tenant?: { name: string; domain: string | null } | null;
}

/** `user.updated`: `changes` (`{ old, new }` of the fields that changed) for profile and admin updates. */
export class UserUpdatedData {
  @IsUUID() user_id!: string;
  @IsOptional() @IsObject() changes?: { old: Record<string, unknown>; new: Record<string, unknown> };
  @IsOptional() @IsString() email?: string;
  @IsOptional() @IsBoolean() password_changed?: boolean;
  @IsOptional() @IsInt() @Min(0) sessions_ended?: number;
  @IsOptional() @IsArray() @IsUUID('all', { each: true }) session_ids?: string[];
  @IsOptional() @IsInt() @Min(0) api_keys_revoked?: number;
}

/** `user.deleted`. */
export class UserDeletedData {
  @IsUUID() user_id!: string;
  @IsString() email!: string;
}

/** `user.logged_in`: a new session. */
export class UserLoggedInData {
  @IsUUID() user_id!: string;
  @IsUUID() session_id!: string;
  @IsIn(['email', 'username']) method!: 'email' | 'username';
}

/** `user.logged_out`: the sessions ended (at least one). */
export class UserLoggedOutData {
  @IsUUID() user_id!: string;
  @IsArray() @IsUUID('all', { each: true }) session_ids!: string[];
  @IsBoolean() all!: boolean;
}

/** `user.password_reset`: every session was ended. */
export class UserPasswordResetData {
  @IsUUID() user_id!: string;
  @IsInt() @Min(0) sessions_ended!: number;
  @IsArray() @IsUUID('all', { each: true }) session_ids!: string[];
}

/** `api_key.created` (never the key, only its public prefix). */
export class ApiKeyCreatedData {
  @IsUUID() api_key_id!: string;
  @IsUUID() user_id!: string;
  @IsOptional() @IsUUID() tenant_id!: string | null;
  @IsString() name!: string;
  @IsString() prefix!: string;
  @IsArray() @IsString({ each: true }) scopes!: string[];
  @IsOptional() @IsISO8601() expires_at!: string | null;
}

/** `api_key.revoked`: by its user or an admin (`revoked`), or with its user (`user_deactivated`). */
export class ApiKeyRevokedData {
  @IsUUID() api_key_id!: string;
  @IsUUID() user_id!: string;
  @IsString() prefix!: string;
  @IsString() reason!: string;
}

/** `signing_key.rotated` (no key material). */
export class SigningKeyRotatedData {
  @IsString() signing_key_id!: string;
  @IsString() kid!: string;
  @IsOptional() @IsString() previous_kid!: string | null;
  @IsString() reason!: string;
}

/** `security.account_locked`: logins to an existing account locked after too many failures. */
export class SecurityAccountLockedData {
  @IsUUID() user_id!: string;
  @IsIn(['client', 'account']) scope!: 'client' | 'account';
  @IsInt() @Min(1) failures!: number;
  @IsISO8601() locked_until!: string;
  @IsInt() @Min(1) lock_seconds!: number;
}

/** `security.token_reuse_detected`: a used refresh token came back; its session was revoked. */
export class SecurityTokenReuseData {
  @IsUUID() user_id!: string;
  @IsUUID() session_id!: string;
  @IsISO8601() token_used_at!: string;
}

/** The payload class of every event identity publishes (part of the event catalogue). */
export const IdentityEventPayloads = Object.freeze({
  [IdentityEventTypes.UserCreated]: UserCreatedData,
  [IdentityEventTypes.UserUpdated]: UserUpdatedData,
  [IdentityEventTypes.UserDeleted]: UserDeletedData,
  [IdentityEventTypes.UserLoggedIn]: UserLoggedInData,
  [IdentityEventTypes.UserLoggedOut]: UserLoggedOutData,
  [IdentityEventTypes.UserPasswordReset]: UserPasswordResetData,
  [IdentityEventTypes.UserEmailVerified]: UserEmailVerifiedData,
  [IdentityEventTypes.ApiKeyCreated]: ApiKeyCreatedData,
  [IdentityEventTypes.ApiKeyRevoked]: ApiKeyRevokedData,
  [IdentityEventTypes.SigningKeyRotated]: SigningKeyRotatedData,
  [IdentityEventTypes.SecurityAccountLocked]: SecurityAccountLockedData,
  [IdentityEventTypes.SecurityTokenReuseDetected]: SecurityTokenReuseData,
  [IdentityEventTypes.SecurityBlocked]: SecurityBlockEventData,
  [IdentityEventTypes.SecurityUnblocked]: SecurityBlockEventData,
});

/** `rpc.identity.admin.bootstrap` (the launcher only): creates the first platform admin once. */export class BootstrapAdminRequest {
  @IsEmail()
  @MaxLength(254)
  email!: string;

  /** When absent a strong password is generated and returned once. */
  @IsOptional()
  @IsString()
  @MinLength(12)
  @MaxLength(256)
  password?: string;
}

export interface BootstrapAdminResult {
  created: boolean;
  email: string;
  /** Only when this call created the admin with a generated password. */
  generated_password?: string;
}
