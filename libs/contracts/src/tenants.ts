import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CallerDto } from './caller.js';
import { EventTypes } from './subjects.js';
import { ListQueryDto, PageNumber } from './list.js';
import { IsOmittable, toBool } from './validation.js';

/** Tenant lifecycle states (ARCHITECTURE § The tenant lifecycle). */
export const TenantStatuses = Object.freeze(['pending', 'provisioning', 'active', 'suspended', 'stopped', 'restoring', 'error', 'deleting', 'deleted'] as const);
export type TenantStatus = (typeof TenantStatuses)[number];

/** Plans, which set instance resources and how many tenants an owner may have. */
export const TenantPlans = Object.freeze(['free', 'standard', 'premium', 'enterprise'] as const);
export type TenantPlan = (typeof TenantPlans)[number];

export const DatabaseStrategies = Object.freeze(['shared', 'dedicated'] as const);
export type DatabaseStrategy = (typeof DatabaseStrategies)[number];

export const TenantMemberRoles = Object.freeze(['owner', 'admin', 'member'] as const);
export type TenantMemberRole = (typeof TenantMemberRoles)[number];

/**
 * `force_delete` (a reason is required): deletes a tenant without its final backup, for one whose
 * deletion waits in `error` because that backup keeps failing. Audited like every admin action.
 */
export const AdminTenantActions = Object.freeze(['restart', 'stop', 'start', 'suspend', 'resume', 'migrate', 'backup', 'retry', 'force_delete'] as const);
export type AdminTenantAction = (typeof AdminTenantActions)[number];

export const InstanceActions = Object.freeze(['restart', 'stop', 'start'] as const);
export type InstanceAction = (typeof InstanceActions)[number];

/** A domain name of two or more labels (`mycompany.com`). */
export const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** A DNS label: lower case letters, digits and inner hyphens, 3–63 characters. */
export const SUBDOMAIN_PATTERN = /^[a-z0-9]([a-z0-9-]{1,61}[a-z0-9])$/;

/** RPC subjects of the tenants service. `internal.*` are service-to-service only; the gateway never routes to them. */
export const TenantsRpc = Object.freeze({
  create: 'rpc.tenants.create',
  list: 'rpc.tenants.list',
  get: 'rpc.tenants.get',
  update: 'rpc.tenants.update',
  delete: 'rpc.tenants.delete',
  status: 'rpc.tenants.status',
  membersList: 'rpc.tenants.members.list',
  membersAdd: 'rpc.tenants.members.add',
  membersRemove: 'rpc.tenants.members.remove',
  /** Authorizes the caller for a tenant and returns its runtime facts (gateway: instance/metrics/logs/backups routes). */
  access: 'rpc.tenants.access',
  /** The plans of tenants by id (the gateway's per-tenant rate limits); unknown ids are left out. */
  plans: 'rpc.tenants.plans',
  instanceAction: 'rpc.tenants.instance.action',
  adminList: 'rpc.tenants.admin.list',
  adminAction: 'rpc.tenants.admin.action',
  adminStats: 'rpc.tenants.admin.stats',
  internalCredentials: 'rpc.tenants.internal.credentials',
});

/** `rpc.tenants.admin.stats`: the tenants side of `admin/stats` and `admin/metrics/platform`. */
export interface TenantsAdminStats {
  /** Tenants not deleted. */
  total_tenants: number;
  /** Tenants `active` (their instance serves). */
  active_instances: number;
  by_status: Record<string, number>;
  /** Not deleted, by plan / database strategy. */
  by_plan: Record<string, number>;
  by_database_strategy: Record<string, number>;
  created_last_24h: number;
  created_last_7d: number;
  operations: { in_progress: number; failed_last_24h: number; succeeded_last_24h: number };
}

/**
 * The fields create and update share. `name` is not here: it is required on create and optional on
 * update, and class-validator keeps a parent's `@IsOptional` on a property a subclass redeclares, so a
 * shared optional `name` made create accept a body without one (issue 16: a 500 in the service).
 */
export class TenantFieldsDto {
  @IsOmittable()
  @IsIn(TenantPlans)
  plan?: TenantPlan;

  @IsOmittable()
  @IsIn(DatabaseStrategies)
  database_strategy?: DatabaseStrategy;

  @IsOptional()
  @Matches(DOMAIN_PATTERN, { message: 'domain must be a valid domain name' })
  domain?: string | null;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  contact_email?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  billing_address?: string | null;

  @IsOmittable()
  @IsObject()
  settings?: Record<string, unknown>;

  @IsOmittable()
  @IsObject()
  metadata?: Record<string, unknown>;

  @IsOptional()
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'custom_plugin_repo must be an https URL' })
  @MaxLength(500)
  custom_plugin_repo?: string | null;

  @IsOmittable()
  @IsEmail()
  @MaxLength(254)
  admin_email?: string;

  /** The instance's admin password: stored encrypted, never returned. */
  @IsOmittable()
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  admin_password?: string;
}

export class CreateTenantRequest extends TenantFieldsDto {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsString()
  @MinLength(2)
  @MaxLength(100)
  name!: string;

  @IsOmittable()
  @IsString()
  @MaxLength(63)
  subdomain?: string;

  /** Alias of `subdomain` (seed 003). */
  @IsOmittable()
  @IsString()
  @MaxLength(63)
  slug?: string;

  /** Alias of `plan` (seed 000). */
  @IsOmittable()
  @IsIn(TenantPlans)
  tier?: TenantPlan;
}

export class TenantRefRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;
}

export class UpdateTenantRequest extends TenantFieldsDto {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;

  @IsOmittable()
  @IsString()
  @MinLength(2)
  @MaxLength(100)
  name?: string;

  @IsOmittable()
  @IsIn(TenantPlans)
  tier?: TenantPlan;
}

export class ListTenantsRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @PageNumber() page: number = 1;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) page_size: number = 20;
  @IsOptional() @IsString() @MaxLength(200) search?: string;
  @IsOptional() @IsString() @MaxLength(100) ordering?: string;
  @IsOptional() @IsIn(TenantStatuses) status?: TenantStatus;
  /** `true`: active tenants only; `false`: every other status (seeds 003, 004). */
  @IsOptional() @Transform(toBool) @IsBoolean() is_active?: boolean;
  @IsOptional() @IsIn(TenantPlans) plan?: TenantPlan;
  @IsOptional() @IsIn(TenantPlans) tier?: TenantPlan;
  /** Admin list only. */
  @IsOptional() @IsUUID() owner_id?: string;
  @IsOptional() @IsString() date_from?: string;
  @IsOptional() @IsString() date_to?: string;
}

/** `GET tenants/{id}/users`: the tenant's members, oldest first, a page at a time. */
export class ListTenantMembersRequest extends ListQueryDto {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;

  @IsOptional()
  @IsIn(TenantMemberRoles)
  role?: TenantMemberRole;
}

/** A member as the tenants service knows it; the gateway adds the user's `name`, `email` and `is_active` from identity. */
export interface TenantMemberView {
  tenant_id: string;
  user_id: string;
  role: TenantMemberRole;
  added_by: string | null;
  created_at: string;
}

export class TenantMemberRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;

  @IsUUID()
  user_id!: string;

  @IsOmittable()
  @IsIn(['admin', 'member'])
  role?: 'admin' | 'member';
}

export class TenantAccessRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;

  /** The least tenant role the route needs. */
  @IsIn(TenantMemberRoles)
  role!: TenantMemberRole;
}

export class InstanceActionRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;

  @IsIn(InstanceActions)
  action!: InstanceAction;
}

export class AdminTenantActionRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;

  @IsIn(AdminTenantActions)
  action!: AdminTenantAction;

  @IsOmittable()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class TenantCredentialsRequest {
  @IsUUID()
  tenant_id!: string;
}

/** A tenant as clients see it (secrets masked). */
export interface TenantView {
  id: string;
  name: string;
  slug: string;
  subdomain: string;
  plan: TenantPlan;
  tier: TenantPlan;
  database_strategy: DatabaseStrategy;
  domain: string | null;
  contact_email: string | null;
  billing_address: string | null;
  settings: Record<string, unknown>;
  metadata: Record<string, unknown>;
  custom_plugin_repo: string | null;
  /** The runtime's names of the tenant's resources (`web_service`, `database`, …); `{}` until provisioned. */
  service_ids: Record<string, string>;
  /** Same as service_ids (seed 003). */
  render_service_ids: Record<string, string>;
  admin_email: string | null;
  admin_password_set: boolean;
  owner_id: string;
  status: TenantStatus;
  is_active: boolean;
  status_reason: string | null;
  access_url: string | null;
  status_url: string;
  /** When the tenant's newest backup completed (any type); null before the first. */
  last_backup_at: string | null;
  /** When its next scheduled backup runs; null without an enabled schedule. */
  next_backup_at: string | null;
  created_at: string;
  updated_at: string;
}

/** `rpc.tenants.*.action` → 202 of `POST tenants/{id}/instance/actions` and `POST admin/tenants/{id}/actions`. */
export interface TenantActionAccepted {
  tenant: TenantView;
  /** The operation the action became (a backup's id for `backup`). */
  operation: { id: string; kind: string; status: string };
  /** Where to follow it. */
  status_url: string;
}

/** `rpc.tenants.members.remove`. */
export interface TenantMemberRemoved {
  removed: true;
}

export interface TenantStatusView {
  id: string;
  /** The tenant's name, slug and creation time (seed 003's status document carries them). */
  name: string;
  slug: string;
  created_at: string;
  status: TenantStatus;
  is_active: boolean;
  service_ids: Record<string, string>;
  render_service_ids: Record<string, string>;
  progress: number;
  step: string | null;
  error: string | null;
  /** The code of `error` when a service gave one (`BILLING_ERROR`: the first payment failed), else null. */
  error_code: string | null;
  operation: { id: string; kind: string; status: string; started_at: string; finished_at: string | null } | null;
  history: Array<{ from: TenantStatus | null; to: TenantStatus; reason: string | null; at: string; actor_id: string | null }>;
}

export interface TenantAccess {
  tenant_id: string;
  slug: string;
  status: TenantStatus;
  role: TenantMemberRole | 'platform_admin';
}

/**
 * Event data of tenant.* events (public contract; additive changes only). Consumers validate it on
 * arrival with this class; fields it does not name are kept (events are forward compatible).
 */
export class TenantEventData {
  @IsUUID() tenant_id!: string;
  @IsString() name!: string;
  @IsString() slug!: string;
  /** A plan code of the plan catalogue (a string: a consumer must not refuse a plan added later). */
  @IsString() plan!: TenantPlan;
  @IsIn(DatabaseStrategies) database_strategy!: DatabaseStrategy;
  @IsIn(TenantStatuses) status!: TenantStatus;
  @IsUUID() owner_id!: string;
  @IsOptional() @IsString() domain!: string | null;
  @IsOptional() @IsString() custom_plugin_repo!: string | null;
  @IsOptional() @IsString() admin_email!: string | null;
  /** Billing contact and address (invoices print them). */
  @IsOptional() @IsString() contact_email!: string | null;
  @IsOptional() @IsString() billing_address!: string | null;
  @IsOptional() @IsUUID() operation_id?: string;
}

/**
 * `tenant.operation_requested` and `tenant.deletion_requested`: the tenant as every tenant.* event
 * carries it, the operation asked for and its parameters (`skip_final_backup` on an admin's
 * force_delete, `from`/`to` of a plan or strategy change…).
 */
export class TenantOperationRequestedData extends TenantEventData {
  /**
   * What to do (`resize`, `stop`, … `delete`), named as `provisioning.*` name it. Required unless
   * the event has only the deprecated `operation` (one published before the rename).
   */
  @ValidateIf((o: { operation?: unknown }) => o.operation === undefined) @IsString() kind!: string;
  /** Deprecated: the same value as `kind`, still sent for one release; read `kind`. */
  @IsOptional() @IsString() operation?: string;
  @IsOptional() @IsString() reason?: string | null;
  @IsOptional() @IsObject() params?: Record<string, unknown> & { skip_final_backup?: boolean };
}

/** `tenant.status_changed`: every transition of the lifecycle state machine. */
export class TenantStatusChangedData extends TenantEventData {
  @IsOptional() @IsIn(TenantStatuses) from!: TenantStatus | null;
  @IsIn(TenantStatuses) to!: TenantStatus;
  @IsOptional() @IsString() reason!: string | null;
}

/** `tenant.member_added` (also a role change: `previous_role`) and `tenant.member_removed`. */
export class TenantMemberEventData {
  @IsUUID() tenant_id!: string;
  @IsUUID() user_id!: string;
  @IsIn(TenantMemberRoles) role!: TenantMemberRole;
  @IsOptional() @IsIn(TenantMemberRoles) previous_role?: TenantMemberRole | null;
}

/** `tenant.updated`: the changed fields, before and after (`admin_password` always `[REDACTED]`). */
export class TenantUpdatedData extends TenantEventData {
  @IsObject() changes!: { old: Record<string, unknown>; new: Record<string, unknown> };
}

/** `tenant.suspended`, `tenant.stopped`, `tenant.deleted`: the reason given, if any. */
export class TenantReasonEventData extends TenantEventData {
  @IsOptional() @IsString() reason?: string;
}

/** `tenant.ready`, `tenant.started`, `tenant.resumed`: where the instance is served. */
export class TenantArrivalEventData extends TenantReasonEventData {
  @IsOptional() @IsString() access_url?: string | null;
}

/** The payload class of every event the tenants service publishes (part of the event catalogue). */
export const TenantsEventPayloads = Object.freeze({
  [EventTypes.TenantCreated]: TenantEventData,
  [EventTypes.TenantUpdated]: TenantUpdatedData,
  [EventTypes.TenantReady]: TenantArrivalEventData,
  [EventTypes.TenantStarted]: TenantArrivalEventData,
  [EventTypes.TenantResumed]: TenantArrivalEventData,
  [EventTypes.TenantSuspended]: TenantReasonEventData,
  [EventTypes.TenantStopped]: TenantReasonEventData,
  [EventTypes.TenantDeleted]: TenantReasonEventData,
  [EventTypes.TenantStatusChanged]: TenantStatusChangedData,
  [EventTypes.TenantOperationRequested]: TenantOperationRequestedData,
  [EventTypes.TenantDeletionRequested]: TenantOperationRequestedData,
  [EventTypes.TenantMemberAdded]: TenantMemberEventData,
  [EventTypes.TenantMemberRemoved]: TenantMemberEventData,
});

export class TenantPlansRequest {
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  ids!: string[];
}

/** `rpc.tenants.plans`: `{ plans: { <tenant id>: <plan> } }` for the tenants that exist (deleted ones left out). */
export interface TenantPlansView {
  plans: Record<string, TenantPlan>;
}

/** `rpc.tenants.admin.stats`: admins only (the gateway checked the role); the caller is for the logs. */
export class TenantsAdminStatsRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;
}

/** Answer of `rpc.tenants.internal.credentials` (provisioning only): the tenant app's first admin, decrypted. */
export interface TenantCredentials {
  admin_email: string | null;
  admin_password: string | null;
}
