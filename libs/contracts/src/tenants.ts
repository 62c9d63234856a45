import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
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
  ValidateNested,
} from 'class-validator';
import { CallerDto } from './caller.js';

/** Tenant lifecycle states (ARCHITECTURE § The tenant lifecycle). */
export const TenantStatuses = Object.freeze(['pending', 'provisioning', 'active', 'suspended', 'stopped', 'error', 'deleting', 'deleted'] as const);
export type TenantStatus = (typeof TenantStatuses)[number];

/** Plans, which set instance resources and how many tenants an owner may have. */
export const TenantPlans = Object.freeze(['free', 'standard', 'premium', 'enterprise'] as const);
export type TenantPlan = (typeof TenantPlans)[number];

export const DatabaseStrategies = Object.freeze(['shared', 'dedicated'] as const);
export type DatabaseStrategy = (typeof DatabaseStrategies)[number];

export const TenantMemberRoles = Object.freeze(['owner', 'admin', 'member'] as const);
export type TenantMemberRole = (typeof TenantMemberRoles)[number];

export const AdminTenantActions = Object.freeze(['restart', 'stop', 'start', 'suspend', 'resume', 'migrate', 'backup', 'retry'] as const);
export type AdminTenantAction = (typeof AdminTenantActions)[number];

export const InstanceActions = Object.freeze(['restart', 'stop', 'start'] as const);
export type InstanceAction = (typeof InstanceActions)[number];

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

export class TenantFieldsDto {
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(100)
  name?: string;

  @IsOptional()
  @IsIn(TenantPlans)
  plan?: TenantPlan;

  @IsOptional()
  @IsIn(DatabaseStrategies)
  database_strategy?: DatabaseStrategy;

  @IsOptional()
  @Matches(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, { message: 'domain must be a valid domain name' })
  domain?: string | null;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  contact_email?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  billing_address?: string | null;

  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  @IsOptional()
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'custom_plugin_repo must be an https URL' })
  @MaxLength(500)
  custom_plugin_repo?: string | null;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  admin_email?: string;

  /** The instance's admin password: stored encrypted, never returned. */
  @IsOptional()
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
  declare name: string;

  @IsOptional()
  @IsString()
  @MaxLength(63)
  subdomain?: string;

  /** Alias of `subdomain` (seed 003). */
  @IsOptional()
  @IsString()
  @MaxLength(63)
  slug?: string;

  /** Alias of `plan` (seed 000). */
  @IsOptional()
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

  @IsOptional()
  @IsIn(TenantPlans)
  tier?: TenantPlan;
}

export class ListTenantsRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) page: number = 1;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) page_size: number = 20;
  @IsOptional() @IsString() @MaxLength(200) search?: string;
  @IsOptional() @IsString() @MaxLength(100) ordering?: string;
  @IsOptional() @IsIn(TenantStatuses) status?: TenantStatus;
  @IsOptional() @IsIn(TenantPlans) plan?: TenantPlan;
  @IsOptional() @IsIn(TenantPlans) tier?: TenantPlan;
  /** Admin list only. */
  @IsOptional() @IsUUID() owner_id?: string;
  @IsOptional() @IsString() date_from?: string;
  @IsOptional() @IsString() date_to?: string;
}

export class TenantMemberRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  id!: string;

  @IsUUID()
  user_id!: string;

  @IsOptional()
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

  @IsOptional()
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
  admin_email: string | null;
  admin_password_set: boolean;
  owner_id: string;
  status: TenantStatus;
  is_active: boolean;
  status_reason: string | null;
  access_url: string | null;
  status_url: string;
  created_at: string;
  updated_at: string;
}

export interface TenantStatusView {
  id: string;
  status: TenantStatus;
  progress: number;
  step: string | null;
  error: string | null;
  operation: { id: string; kind: string; status: string; started_at: string; finished_at: string | null } | null;
  history: Array<{ from: TenantStatus | null; to: TenantStatus; reason: string | null; at: string; actor_id: string | null }>;
}

export interface TenantAccess {
  tenant_id: string;
  slug: string;
  status: TenantStatus;
  role: TenantMemberRole | 'platform_admin';
}

/** Event data of tenant.* events (public contract; additive changes only). */
export interface TenantEventData {
  tenant_id: string;
  name: string;
  slug: string;
  plan: TenantPlan;
  database_strategy: DatabaseStrategy;
  status: TenantStatus;
  owner_id: string;
  domain: string | null;
  custom_plugin_repo: string | null;
  admin_email: string | null;
  /** Billing contact and address (invoices print them). */
  contact_email: string | null;
  billing_address: string | null;
  operation_id?: string;
}
