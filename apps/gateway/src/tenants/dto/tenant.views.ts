import { ApiExtraModels, ApiProperty } from '@nestjs/swagger';
import {
  DatabaseStrategies,
  PlanCurrencies,
  TenantMemberRoles,
  TenantPlans,
  TenantStatuses,
  type DatabaseStrategy,
  type InstancesStats,
  type PlanCurrency,
  type RevenueView,
  type TenantActionAccepted,
  type TenantMemberRemoved,
  type TenantMemberRole,
  type TenantMemberView,
  type TenantPlan,
  type TenantsAdminStats,
  type TenantStatus,
  type TenantStatusView,
  type TenantView,
  type UsersStats,
} from '@saas/contracts';
import {
  Bool,
  Counts,
  DateTime,
  FreeObject,
  Int,
  MapOf,
  Nested,
  NullableDateTime,
  NullableInt,
  NullableOneOf,
  NullableStr,
  NullableUuid,
  Num,
  OneOf,
  Str,
  StrList,
  StrMap,
  Uuid,
} from '../../http/view-properties.js';

/** The runtime's names of a tenant's resources: a string per resource. */
const ServiceIds = (description = 'The runtime’s names of the tenant’s resources (`web_service`, `database`, …); `{}` until provisioned.') =>
  ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description, example: { web_service: 'local/acme', database: 'tenant_acme' } });

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
  @ServiceIds() service_ids!: Record<string, string>;
  @ServiceIds('Same as service_ids (seed 003).') render_service_ids!: Record<string, string>;
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
  @ServiceIds() service_ids!: Record<string, string>;
  @ServiceIds('Same as service_ids (seed 003).') render_service_ids!: Record<string, string>;
  @Int('0–100.', { minimum: 0, maximum: 100 }) progress!: number;
  @NullableStr('The current step of the operation.') step!: string | null;
  @NullableStr('What went wrong, in status `error`.') error!: string | null;
  @NullableStr('The code of `error` when the failing service gave one: `BILLING_ERROR` when the first payment of a plan without a trial failed.') error_code!: string | null;
  @ApiProperty({ type: TenantOperationDto, nullable: true }) operation!: TenantOperationDto | null;
  @ApiProperty({ type: [TenantTransitionDto] }) history!: TenantTransitionDto[];
}

export class TenantMemberViewDto implements TenantMemberView {
  @Uuid() tenant_id!: string;
  @Uuid() user_id!: string;
  @OneOf(TenantMemberRoles) role!: TenantMemberRole;
  @NullableUuid('Who added them (null: the owner, at creation).') added_by!: string | null;
  @DateTime() created_at!: string;
}

/** A member as `GET tenants/{id}/users` lists it: the membership and what identity knows of the user. */
export class TenantMemberListItemDto extends TenantMemberViewDto {
  @Uuid('The user’s id (same as `user_id`).') id!: string;
  @NullableStr() name!: string | null;
  @NullableStr(undefined, { format: 'email' }) email!: string | null;
  @Bool('The user account is active.') is_active!: boolean;
}

export class TenantMemberRemovedDto implements TenantMemberRemoved {
  @ApiProperty({ type: Boolean, enum: [true] }) removed!: true;
}

class ActionOperationDto {
  @Uuid() id!: string;
  @Str('restart, stop, start, suspend, resume, migrate, provision, backup, …') kind!: string;
  @Str() status!: string;
}

/** `TenantActionAccepted`: the 202 of a tenant action. */
export class TenantActionAcceptedDto implements TenantActionAccepted {
  @Nested(TenantViewDto) tenant!: TenantViewDto;
  @Nested(ActionOperationDto) operation!: ActionOperationDto;
  @Str('Follow it for progress.', { example: '/api/v1/tenants/5b8f1d2e-0c3a-4e59-9a77-1c2d3e4f5a6b/status' }) status_url!: string;
}

/** `GET admin/stats` (composed by the gateway from identity, tenants and billing). */
export class AdminStatsDto {
  @Int(undefined, { example: 42 }) total_users!: number;
  @Int(undefined, { example: 17 }) total_tenants!: number;
  @Int('Tenants `active`.', { example: 15 }) active_instances!: number;
  @NullableInt('Paid invoices ever, minor units of `currency`; null while billing does not answer.', { example: 129900 }) total_revenue!: number | null;
  @NullableOneOf(PlanCurrencies) currency!: PlanCurrency | null;
  @Counts() tenants_by_status!: Record<string, number>;
  @Counts() tenants_by_plan!: Record<string, number>;
}

class TenantOperationCountsDto {
  @Int() in_progress!: number;
  @Int() failed_last_24h!: number;
  @Int() succeeded_last_24h!: number;
}

export class TenantsAdminStatsDto implements TenantsAdminStats {
  @Int() total_tenants!: number;
  @Int() active_instances!: number;
  @Counts() by_status!: Record<string, number>;
  @Counts() by_plan!: Record<string, number>;
  @Counts() by_database_strategy!: Record<string, number>;
  @Int() created_last_24h!: number;
  @Int() created_last_7d!: number;
  @Nested(TenantOperationCountsDto) operations!: TenantOperationCountsDto;
}

export class UsersStatsDto implements UsersStats {
  @Int() total!: number;
  @Int() active!: number;
  @Int() inactive!: number;
  @Int() admins!: number;
  @Int() email_verified!: number;
  @Int() created_last_24h!: number;
  @Int() created_last_7d!: number;
  @Int() logged_in_last_24h!: number;
  @Counts() by_plan_tier!: Record<string, number>;
}

class InstanceJobCountsDto {
  @Int() queued!: number;
  @Int() running!: number;
  @Int() failed_last_24h!: number;
}

export class InstancesStatsDto implements InstancesStats {
  @Str() runtime!: string;
  @Int() total!: number;
  @Counts() by_status!: Record<string, number>;
  @Int() crash_restarts!: number;
  @Num() cpu_percent!: number;
  @Num() memory_bytes!: number;
  @Num() storage_bytes!: number;
  @NullableInt('Ready spare databases; null when the pool is off.') spare_databases!: number | null;
  @Nested(InstanceJobCountsDto) jobs!: InstanceJobCountsDto;
}

class PlanRevenueDto {
  @Int() subscriptions!: number;
  @Int() mrr!: number;
  @Int() revenue!: number;
}

class CurrencyRevenueDto {
  @Int() total_revenue!: number;
  @Int() mrr!: number;
  @Int() last_30_days!: number;
}

@ApiExtraModels(PlanRevenueDto, CurrencyRevenueDto)
export class RevenueViewDto implements RevenueView {
  @Int('Paid invoices ever, minor units.') total_revenue!: number;
  @OneOf(PlanCurrencies) currency!: PlanCurrency;
  @Int('Monthly recurring revenue, minor units.') mrr!: number;
  @Int() arr!: number;
  @Int() last_30_days!: number;
  @MapOf(PlanRevenueDto, 'By plan code.') by_plan!: Record<string, PlanRevenueDto>;
  @MapOf(CurrencyRevenueDto, 'Other currencies, each summed on its own.') by_currency!: Record<string, CurrencyRevenueDto>;
}

class PlatformHealthDto {
  @OneOf(['ok', 'degraded', 'down']) status!: 'ok' | 'degraded' | 'down';
  @StrMap('Each service’s status.') services!: Record<string, string>;
  @OneOf(['ok', 'down']) postgres!: 'ok' | 'down';
  @OneOf(['ok', 'down']) nats!: 'ok' | 'down';
  @Int('Events not yet handled by their consumers.') event_backlog!: number;
}

/** `GET admin/metrics/platform`: each section from the service that owns it, null when it does not answer. */
export class PlatformMetricsDto {
  @DateTime() generated_at!: string;
  @Nested(TenantsAdminStatsDto, { nullable: true }) tenants!: TenantsAdminStatsDto | null;
  @Nested(UsersStatsDto, { nullable: true }) users!: UsersStatsDto | null;
  @Nested(InstancesStatsDto, { nullable: true }) instances!: InstancesStatsDto | null;
  @Nested(RevenueViewDto, { nullable: true }) revenue!: RevenueViewDto | null;
  @Nested(PlatformHealthDto) health!: PlatformHealthDto;
  @StrList('Sections whose service did not answer (`tenants`, `identity`, `provisioning`, `billing`).') unavailable!: string[];
}
