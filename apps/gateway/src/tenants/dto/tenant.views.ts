import { ApiProperty } from '@nestjs/swagger';
import { DatabaseStrategies, TenantPlans, TenantStatuses, type DatabaseStrategy, type TenantPlan, type TenantStatus, type TenantStatusView, type TenantView } from '@saas/contracts';
import { Bool, DateTime, FreeObject, Int, NullableDateTime, NullableStr, NullableUuid, OneOf, Str, Uuid } from '../../http/view-properties.js';

/** TenantView as documented (secrets masked: `admin_password_set`, never the password). */
export class TenantViewDto implements TenantView {
  @Uuid() id!: string;
  @Str('Display name.', { example: 'Acme Corporation' }) name!: string;
  @Str('DNS label the tenant is reached at.', { example: 'acme' }) slug!: string;
  @Str('Same as slug (seed 003).') subdomain!: string;
  @OneOf(TenantPlans) plan!: TenantPlan;
  @OneOf(TenantPlans, 'Same as plan (seed 000).') tier!: TenantPlan;
  @OneOf(DatabaseStrategies) database_strategy!: DatabaseStrategy;
  @NullableStr() domain!: string | null;
  @NullableStr(undefined, { format: 'email' }) contact_email!: string | null;
  @NullableStr() billing_address!: string | null;
  @FreeObject() settings!: Record<string, unknown>;
  @FreeObject() metadata!: Record<string, unknown>;
  @NullableStr(undefined, { format: 'uri' }) custom_plugin_repo!: string | null;
  @NullableStr(undefined, { format: 'email' }) admin_email!: string | null;
  @Bool('Whether an instance admin password is stored (it is never returned).') admin_password_set!: boolean;
  @Uuid() owner_id!: string;
  @OneOf(TenantStatuses) status!: TenantStatus;
  @Bool() is_active!: boolean;
  @NullableStr() status_reason!: string | null;
  @NullableStr('Where the tenant’s app answers, once active.', { format: 'uri' }) access_url!: string | null;
  @Str('Follow it for progress.', { example: '/api/v1/tenants/5b8f1d2e-0c3a-4e59-9a77-1c2d3e4f5a6b/status' }) status_url!: string;
  @NullableDateTime('When the newest backup of the tenant completed; null before the first.') last_backup_at!: string | null;
  @NullableDateTime('When the next scheduled backup runs; null without an enabled schedule.') next_backup_at!: string | null;
  @DateTime() created_at!: string;
  @DateTime() updated_at!: string;
}

class TenantOperationDto {
  @Uuid() id!: string;
  @Str('provision, plan_change, stop, start, delete, …') kind!: string;
  @Str() status!: string;
  @DateTime() started_at!: string;
  @NullableDateTime() finished_at!: string | null;
}

class TenantTransitionDto {
  @ApiProperty({ type: String, enum: [...TenantStatuses], nullable: true }) from!: TenantStatus | null;
  @OneOf(TenantStatuses) to!: TenantStatus;
  @NullableStr() reason!: string | null;
  @DateTime() at!: string;
  @NullableUuid() actor_id!: string | null;
}

export class TenantStatusViewDto implements TenantStatusView {
  @Uuid() id!: string;
  @Str() name!: string;
  @Str() slug!: string;
  @DateTime() created_at!: string;
  @OneOf(TenantStatuses) status!: TenantStatus;
  @Bool('Whether the tenant is `active`.') is_active!: boolean;
  @Int('0–100.', { minimum: 0, maximum: 100 }) progress!: number;
  @NullableStr('The current step of the operation.') step!: string | null;
  @NullableStr('What went wrong, in status `error`.') error!: string | null;
  @ApiProperty({ type: TenantOperationDto, nullable: true }) operation!: TenantOperationDto | null;
  @ApiProperty({ type: [TenantTransitionDto] }) history!: TenantTransitionDto[];
}
