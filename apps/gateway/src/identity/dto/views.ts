import { ApiProperty } from '@nestjs/swagger';
import { EventTypes, UserRoles, UserTiers, type AcceptedResponse, type LogoutResponse, type ResetPasswordResponse, type TokenResponse, type VerifyEmailResponse, type ApiKeyView, type AuditLogView, type CreatedApiKeyView, type UserRoleName, type UserSubscriptionView, type UserTenantView, type UserTier, type UserView } from '@saas/contracts';
import { Bool, DateTime, FreeObject, Int, NullableDateTime, NullableStr, NullableUuid, OneOf, Str, StrList, Uuid } from '../../http/view-properties.js';

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
  @OneOf(UserTiers, 'Plan tier (rate limits).') tier!: UserTier;
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
