import { ApiProperty } from '@nestjs/swagger';
import { BlockTargetTypes, EventTypes, FindingSeverities, ThreatTypes, UserRoles, UserTiers, UserTierSources, type BlockTargetType, type FindingSeverity, type SecurityBlockView, type SecurityFindingDto, type SecurityMetricsHour, type SecurityMetricsResponse, type SecurityScanStatus, type SecurityScanView, type ThreatsResponse, type ThreatType, type ThreatView, type AcceptedResponse, type LogoutResponse, type ResetPasswordResponse, type TokenResponse, type VerifyEmailResponse, type ApiKeyView, type AuditLogView, type CreatedApiKeyView, type UserRoleName, type UserSubscriptionView, type UserTenantView, type UserTier, type UserTierSource, type UserView } from '@saas/contracts';
import { Bool, Counts, DateTime, FreeObject, Int, Nested, NestedList, NullableDateTime, NullableOneOf, NullableStr, NullableUuid, OneOf, Str, StrList, Uuid } from '../../http/view-properties.js';

export class UserViewDto implements UserView {
  @Uuid() id!: string;
  @Str(undefined, { format: 'email' }) email!: string;
  @NullableStr() username!: string | null;
  @Str() first_name!: string;
  @Str() last_name!: string;
  @Str() full_name!: string;
  @Str('Same as `full_name` (seed 004).') name!: string;
  @OneOf(UserRoles) role!: UserRoleName;
  @ApiProperty({ type: [String], enum: [...UserRoles], description: '`role` as seed 004 spells it: `["user"]`, or `["user", "admin"]`.' }) roles!: UserRoleName[];
  @OneOf(UserTiers, 'Rate-limit tier the user’s tokens carry: the most generous plan among the live subscriptions the user owns (`standard` without any), or the admin’s override.') tier!: UserTier;
  @OneOf(UserTierSources, 'Where `tier` comes from: `plan` (the subscriptions) or `override` (`tier_override`, set by an admin).') tier_source!: UserTierSource;
  @NullableOneOf(UserTiers, 'An admin’s explicit override of the plan-driven tier (PATCH users/{id} `tier`; null removes it); null when the plans decide.') tier_override!: UserTier | null;
  @Bool() is_active!: boolean;
  @Bool() email_verified!: boolean;
  @FreeObject() metadata!: Record<string, unknown>;
  @NullableDateTime() last_login!: string | null;
  @DateTime() created_at!: string;
  @DateTime() updated_at!: string;
}

export class UserTenantViewDto implements UserTenantView {
  @Uuid() id!: string;
  @NullableStr() name!: string | null;
  @NullableStr() domain!: string | null;
  @Str('The user’s role in the tenant.') role!: string;
  @Bool() is_active!: boolean;
  @DateTime() created_at!: string;
}

export class UserSubscriptionViewDto implements UserSubscriptionView {
  @Uuid() id!: string;
  @NullableUuid() tenant_id!: string | null;
  @NullableStr() plan!: string | null;
  @NullableStr() status!: string | null;
  @Bool() is_active!: boolean;
  @NullableDateTime() start_date!: string | null;
  @NullableDateTime() end_date!: string | null;
}

export class ApiKeyViewDto implements ApiKeyView {
  @Uuid() id!: string;
  @Str() name!: string;
  @Str('Non-secret: `sk_<8 chars>`.') prefix!: string;
  @Uuid() user_id!: string;
  @NullableUuid() tenant_id!: string | null;
  @StrList() scopes!: string[];
  @DateTime() created_at!: string;
  @NullableDateTime() expires_at!: string | null;
  @NullableDateTime() last_used_at!: string | null;
  @NullableDateTime() revoked_at!: string | null;
}

export class CreatedApiKeyViewDto extends ApiKeyViewDto implements CreatedApiKeyView {
  @Str('The key itself, shown this once.', { example: 'sk_…' }) key!: string;
}

class AuditUserDto {
  @Uuid() id!: string;
  @NullableStr(undefined, { format: 'email' }) email!: string | null;
}

export class AuditLogViewDto implements AuditLogView {
  @Uuid() id!: string;
  @Uuid() event_id!: string;
  @Str(undefined, { example: EventTypes.TenantCreated }) event_type!: string;
  @Str('The event type’s verb.', { example: 'created' }) action!: string;
  @Str(undefined, { example: 'tenant' }) resource_type!: string;
  @NullableStr() resource_id!: string | null;
  @NullableUuid() tenant_id!: string | null;
  @Str() actor_type!: string;
  @ApiProperty({ type: AuditUserDto, nullable: true }) user!: AuditUserDto | null;
  @FreeObject(undefined, true) old_values!: Record<string, unknown> | null;
  @FreeObject(undefined, true) new_values!: Record<string, unknown> | null;
  @NullableStr() ip_address!: string | null;
  @NullableStr() user_agent!: string | null;
  @NullableStr() correlation_id!: string | null;
  @DateTime() timestamp!: string;
}

class RequestedTenantDto {
  @Str() name!: string;
  @NullableStr() domain!: string | null;
  @OneOf(['after_email_verification']) created!: 'after_email_verification';
}

class CreatingTenantDto {
  @Str() name!: string;
  @NullableStr() domain!: string | null;
  @OneOf(['creating']) status!: 'creating';
}

export class AcceptedResponseDto implements AcceptedResponse {
  @OneOf(['accepted']) status!: 'accepted';
  @Str() message!: string;
  @ApiProperty({ type: RequestedTenantDto, required: false, description: 'Registration with `tenant_name`: created with the new user as owner once the email is verified.' })
  requested_tenant?: RequestedTenantDto;
}

export class TokenResponseDto implements TokenResponse {
  @Str('RS256 JWT; send as `Authorization: Bearer …`.') access_token!: string;
  @Str('Rotating: each use returns a new one; reusing an old one revokes the family.') refresh_token!: string;
  @OneOf(['bearer']) token_type!: 'bearer';
  @Int('Seconds until the access token expires.') expires_in!: number;
  @Int('Seconds until the refresh token expires.') refresh_expires_in!: number;
  @ApiProperty({ type: UserViewDto }) user!: UserViewDto;
  @Uuid('The user’s id (seed 004 reads it here).') user_id!: string;
  @Str() name!: string;
  @Str(undefined, { format: 'email' }) email!: string;
  @ApiProperty({ type: [String], enum: [...UserRoles] }) roles!: UserRoleName[];
}

export class VerifyEmailResponseDto implements VerifyEmailResponse {
  @ApiProperty({ type: Boolean, enum: [true] }) email_verified!: true;
  @ApiProperty({ type: CreatingTenantDto, required: false, description: 'The tenant asked for at registration, now being created.' }) requested_tenant?: CreatingTenantDto;
}

export class ResetPasswordResponseDto implements ResetPasswordResponse {
  @ApiProperty({ type: Boolean, enum: [true] }) password_reset!: true;
}

export class LogoutResponseDto implements LogoutResponse {
  @Int('Sessions ended by this logout.') sessions_ended!: number;
}

export class DeletedUserDto {
  @ApiProperty({ type: Boolean, enum: [true] }) deleted!: true;
  @Uuid() id!: string;
}

class JsonWebKeyDto {
  @Str('Key id; the `kid` of the tokens it signed.') kid!: string;
  @OneOf(['RSA']) kty!: string;
  @OneOf(['RS256']) alg!: string;
  @OneOf(['sig']) use!: 'sig';
  @Str('RSA modulus (base64url).') n!: string;
  @Str('RSA exponent (base64url).', { example: 'AQAB' }) e!: string;
}

/** `GET /.well-known/jwks.json` (RFC 7517). */
export class JwksResponseDto {
  @NestedList(JsonWebKeyDto) keys!: JsonWebKeyDto[];
}

class SecurityMetricsHourDto implements SecurityMetricsHour {
  @DateTime() hour!: string;
  @Int() failed_logins!: number;
  @Int() lockouts!: number;
  @Int() token_reuse!: number;
  @Int() signature_failures!: number;
  @Int() rate_limit_rejections!: number;
}

export class SecurityMetricsResponseDto implements SecurityMetricsResponse {
  @DateTime() window_start!: string;
  @DateTime() window_end!: string;
  @Int() failed_logins!: number;
  @Int() lockouts!: number;
  @Int() token_reuse!: number;
  @Int('Accounts with at least one failed login in the window.') accounts_targeted!: number;
  @Int('Inbound provider webhooks refused for their signature.') signature_failures!: number;
  @Int('Requests refused with 429.') rate_limit_rejections!: number;
  @Counts() rate_limit_rejections_by_tier!: Record<string, number>;
  @Counts('By route pattern.') rate_limit_rejections_by_route!: Record<string, number>;
  @NestedList(SecurityMetricsHourDto, 'Hour by hour, oldest first.') series!: SecurityMetricsHourDto[];
}

export class SecurityBlockViewDto implements SecurityBlockView {
  @Uuid() id!: string;
  @OneOf(BlockTargetTypes) target_type!: BlockTargetType;
  @Str(undefined, { example: '203.0.113.7' }) target!: string;
  @Str() reason!: string;
  @NullableUuid() blocked_by!: string | null;
  @DateTime() created_at!: string;
  @NullableDateTime() expires_at!: string | null;
  @NullableDateTime() unblocked_at!: string | null;
  @NullableUuid() unblocked_by!: string | null;
}

class ThreatSourceDto {
  @NullableStr(undefined, { required: false }) ip?: string | null;
  @NullableStr(undefined, { required: false }) user_id?: string | null;
  @NullableStr(undefined, { required: false }) route?: string | null;
  @NullableStr(undefined, { required: false }) provider?: string | null;
  @NullableStr(undefined, { required: false }) tier?: string | null;
}

class SuggestedBlockDto {
  @OneOf(BlockTargetTypes) target_type!: BlockTargetType;
  @Str() target!: string;
}

export class ThreatViewDto implements ThreatView {
  @Str('Stable for the same kind of threat from the same source.') id!: string;
  @OneOf(ThreatTypes) type!: ThreatType;
  @OneOf(['low', 'medium', 'high', 'critical']) severity!: ThreatView['severity'];
  @Str() summary!: string;
  @Nested(ThreatSourceDto) source!: ThreatSourceDto;
  @Int() count!: number;
  @DateTime() first_seen!: string;
  @DateTime() last_seen!: string;
  @Bool('A block in force covers its source.') blocked!: boolean;
  @Nested(SuggestedBlockDto, { nullable: true, description: 'What to block to stop it.' }) suggested_block!: SuggestedBlockDto | null;
}

export class ThreatsResponseDto implements ThreatsResponse {
  @DateTime() window_start!: string;
  @DateTime() window_end!: string;
  @NestedList(ThreatViewDto) threats!: ThreatViewDto[];
  @NestedList(SecurityBlockViewDto) blocks!: SecurityBlockViewDto[];
}

class FindingResourceViewDto {
  @Str() type!: string;
  @Str() id!: string;
}

class SecurityFindingViewDto implements SecurityFindingDto {
  @Str('Stable, upper case.', { example: 'CORS_ANY_ORIGIN' }) code!: string;
  @OneOf(FindingSeverities) severity!: FindingSeverity;
  @Str() title!: string;
  @Str() explanation!: string;
  @Str() fix!: string;
  @Str('Which part of the platform said so.', { example: 'gateway' }) source!: string;
  @ApiProperty({ type: FindingResourceViewDto, nullable: true, required: false }) resource?: FindingResourceViewDto | null;
}

class FindingSummaryDto implements Record<FindingSeverity, number> {
  @Int() info!: number;
  @Int() low!: number;
  @Int() medium!: number;
  @Int() high!: number;
  @Int() critical!: number;
}

export class SecurityScanViewDto implements SecurityScanView {
  @Uuid() id!: string;
  @OneOf(['running', 'completed', 'failed']) status!: SecurityScanStatus;
  @Str(undefined, { example: '/api/v1/security/scans/5b8f1d2e-0c3a-4e59-9a77-1c2d3e4f5a6b' }) status_url!: string;
  @NullableUuid() requested_by!: string | null;
  @DateTime() started_at!: string;
  @NullableDateTime() finished_at!: string | null;
  @Nested(FindingSummaryDto, { description: 'Findings by severity.' }) summary!: FindingSummaryDto;
  @NestedList(SecurityFindingViewDto) findings!: SecurityFindingViewDto[];
  @StrList('Parts of the platform that did not answer the scan.') not_scanned!: string[];
  @NullableStr() error!: string | null;
}
