import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsNumber, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';
import { CallerDto } from './caller.js';
import { ListQueryDto } from './list.js';
import { EventTypes } from './subjects.js';
import { SUBDOMAIN_PATTERN, type TenantView } from './tenants.js';

/**
 * RPC subjects of the backups service. Callers (the gateway, the tenants service's admin action)
 * authorize the caller for the tenant first (`TenantsRpc.access`, role admin); the service scopes
 * every lookup by `tenant_id`, so another tenant's backup id is simply not found.
 *
 * ⚠️  Renaming a subject breaks every caller: add new ones instead.
 */
export const BackupsRpc = Object.freeze({
  create: 'rpc.backups.create',
  list: 'rpc.backups.list',
  get: 'rpc.backups.get',
  delete: 'rpc.backups.delete',
  restore: 'rpc.backups.restore',
  restoreGet: 'rpc.backups.restore.get',
  /** Platform admins only: every tenant's backups (a deleted tenant's final backups among them). */
  adminList: 'rpc.backups.admin.list',
  /** Platform admins only: run a restore drill of one backup now (202; the drill runs in the background). */
  drill: 'rpc.backups.drill',
  drillGet: 'rpc.backups.drill.get',
  scheduleGet: 'rpc.backups.schedule.get',
  schedulePut: 'rpc.backups.schedule.put',
});

export const BackupTypes = Object.freeze(['manual', 'scheduled', 'pre_restore', 'pre_deletion'] as const);
export type BackupType = (typeof BackupTypes)[number];

export const BackupStatuses = Object.freeze(['pending', 'running', 'completed', 'failed'] as const);
export type BackupStatus = (typeof BackupStatuses)[number];

/** The parts of an archive, in the order they are written (the manifest last, naming the others). */
export const BackupParts = Object.freeze(['database', 'files', 'manifest'] as const);
export type BackupPart = (typeof BackupParts)[number];

export const RestoreStatuses = Object.freeze(['pending', 'running', 'completed', 'failed'] as const);
export type RestoreStatus = (typeof RestoreStatuses)[number];

/** `in_place`: the backup replaces the tenant's own data; `new_tenant`: it becomes a new tenant's data (a clone). */
export const RestoreTargets = Object.freeze(['in_place', 'new_tenant'] as const);
export type RestoreTarget = (typeof RestoreTargets)[number];

/** A restore drill: `completed` when the backup restored into a scratch database with every table and row count as recorded. */
export const DrillStatuses = Object.freeze(['pending', 'running', 'completed', 'failed'] as const);
export type DrillStatus = (typeof DrillStatuses)[number];

export const BackupsErrorCodes = Object.freeze({
  /** 404: no such backup for this tenant. */
  BACKUP_NOT_FOUND: 'BACKUP_NOT_FOUND',
  /** 404: no such restore for this tenant. */
  RESTORE_NOT_FOUND: 'RESTORE_NOT_FOUND',
  /** 409: only manual backups may be deleted by users; others follow their retention. */
  BACKUP_NOT_DELETABLE: 'BACKUP_NOT_DELETABLE',
  /** 409: a restore of this tenant is running (no second restore, no deletion of its backups). */
  RESTORE_IN_PROGRESS: 'RESTORE_IN_PROGRESS',
  /** 409: the backup is not completed (pending, running or failed) and cannot be restored. */
  BACKUP_NOT_RESTORABLE: 'BACKUP_NOT_RESTORABLE',
  /** 422: the archive fails its checksums, is truncated, or is not this tenant's. */
  BACKUP_CORRUPT: 'BACKUP_CORRUPT',
  /** 500: a backup could not be made or stored (the reason is given). */
  BACKUP_FAILED: 'BACKUP_FAILED',
  /** 404/409: the tenant has no database or instance to back up (yet, or any more). */
  TENANT_NOT_BACKUPABLE: 'TENANT_NOT_BACKUPABLE',
  /** 404: no such restore drill. */
  DRILL_NOT_FOUND: 'DRILL_NOT_FOUND',
  /** A restore drill's restore failed, or found other tables or row counts than the manifest recorded. */
  BACKUP_VERIFICATION_FAILED: 'BACKUP_VERIFICATION_FAILED',
});

export class CreateBackupRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  tenant_id!: string;

  /** Users and admins make `manual` backups; the other types are the service's own. */
  @IsOptional()
  @IsIn(['manual'])
  type?: 'manual';

  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string | null;
}

/** The filters every backup list takes (`GET tenants/{id}/backups`, `GET admin/backups`). */
class BackupFiltersDto extends ListQueryDto {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsOptional() @IsIn(BackupTypes) type?: BackupType;
  @IsOptional() @IsIn(BackupStatuses) status?: BackupStatus;
  @IsOptional() @IsISO8601() date_from?: string;
  @IsOptional() @IsISO8601() date_to?: string;
}

export class ListBackupsRequest extends BackupFiltersDto {
  @IsUUID()
  tenant_id!: string;
}

export class BackupRefRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  tenant_id!: string;

  @IsUUID()
  backup_id!: string;
}

/** A field of a clone's request: refused with any other target. */
function OnlyForNewTenant(): PropertyDecorator {
  return ValidateBy({
    name: 'onlyForNewTenant',
    validator: {
      validate: (_value, args) => (args?.object as { target?: string } | undefined)?.target === 'new_tenant',
      defaultMessage: (args) => `${args?.property ?? 'this field'} is only for target new_tenant`,
    },
  });
}

export class RestoreBackupRequest extends BackupRefRequest {
  /** `in_place` (default): the backup replaces the tenant's own data. `new_tenant`: a new tenant is signed up with it (API.md: `{ "target": "new_tenant", "subdomain" }`). */
  @IsOptional()
  @IsIn(RestoreTargets)
  target?: RestoreTarget;

  /** `new_tenant`: the new tenant's subdomain (required there, refused otherwise). */
  @ValidateIf((o: RestoreBackupRequest) => o.target === 'new_tenant' || o.subdomain !== undefined)
  @OnlyForNewTenant()
  @IsString()
  @Matches(SUBDOMAIN_PATTERN, { message: 'subdomain must be a DNS label: 3–63 lower-case letters, digits and inner hyphens' })
  subdomain?: string;

  /** `new_tenant`: the new tenant's name (default: "Restored <source slug>"). */
  @IsOptional()
  @OnlyForNewTenant()
  @IsString()
  @MinLength(2)
  @MaxLength(100)
  name?: string;
}

/** `rpc.backups.admin.list`: backups of every tenant, or of one (`tenant_id`), a deleted one's too. */
export class AdminListBackupsRequest extends BackupFiltersDto {
  @IsOptional() @IsUUID() tenant_id?: string;
}

export class DrillBackupRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  backup_id!: string;
}

export class DrillRefRequest extends DrillBackupRequest {
  @IsUUID()
  drill_id!: string;
}

export class RestoreRefRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  tenant_id!: string;

  @IsUUID()
  restore_id!: string;
}

/**
 * What each plan allows a tenant's backup schedule (the plan caps retention) and what a tenant gets
 * until it sets its own. Kept here until the plan catalogue carries it.
 */
export const BackupPlanLimits: Readonly<Record<string, { max_keep_last: number; max_keep_days: number; default_schedule: string; default_keep_last: number; default_keep_days: number }>> = Object.freeze({
  free: { max_keep_last: 3, max_keep_days: 7, default_schedule: 'daily 02:00', default_keep_last: 3, default_keep_days: 7 },
  standard: { max_keep_last: 7, max_keep_days: 30, default_schedule: 'daily 02:00', default_keep_last: 7, default_keep_days: 7 },
  premium: { max_keep_last: 30, max_keep_days: 90, default_schedule: 'daily 02:00', default_keep_last: 14, default_keep_days: 30 },
  enterprise: { max_keep_last: 365, max_keep_days: 365, default_schedule: 'daily 02:00', default_keep_last: 30, default_keep_days: 90 },
});

export class BackupScheduleRefRequest {
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;

  @IsUUID()
  tenant_id!: string;
}

export class PutBackupScheduleRequest extends BackupScheduleRefRequest {
  /** A 5-field cron expression (`0 2 * * *`) or a preset: `hourly`, `daily HH:MM`, `weekly <mon…sun> HH:MM`. */
  @IsString()
  @MinLength(5)
  @MaxLength(100)
  schedule!: string;

  /** IANA time zone the schedule is read in (default UTC). */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** Keep at most this many scheduled backups (the newest); null: no count limit. Capped by the plan. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  keep_last?: number | null;

  /** Keep scheduled backups this many days; null: no age limit. Capped by the plan. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  keep_days?: number | null;
}

export interface BackupScheduleView {
  tenant_id: string;
  /** As given (a preset or a cron expression). */
  schedule: string;
  /** The cron expression it means. */
  cron: string;
  timezone: string;
  enabled: boolean;
  keep_last: number | null;
  keep_days: number | null;
  next_run_at: string | null;
  last_run_at: string | null;
  /** False while the tenant has not set one: this is its plan's default, not running. */
  configured: boolean;
  limits: { max_keep_last: number; max_keep_days: number };
}

/** Why a backup or restore failed: which part, at which step, and the cause. */
export interface BackupFailure {
  part: BackupPart | 'storage' | 'restore' | null;
  step: string | null;
  reason: string;
  /** Restores: the error code (`BACKUP_CORRUPT` when the archive failed validation). */
  code?: string;
}

export interface BackupPartView {
  name: BackupPart;
  size_bytes: number;
  sha256: string;
}

export interface BackupView {
  id: string;
  tenant_id: string;
  type: BackupType;
  status: BackupStatus;
  progress: number;
  step: string | null;
  storage: string;
  size_bytes: number | null;
  duration_ms: number | null;
  /** sha256 of the manifest, which holds the sha256 of every other part. */
  checksum: string | null;
  parts: BackupPartView[];
  error: BackupFailure | null;
  reason: string | null;
  requested_by: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  expires_at: string | null;
  /** When a restore drill last restored this backup into a scratch database and found every table and row count as recorded. */
  verified_at: string | null;
  /** How long that drill's restore took (the measured RTO of the database), in seconds. */
  restore_seconds: number | null;
  /** Why the last drill failed; null when it passed or none ran. */
  verification_error: string | null;
}

export interface BackupAccepted {
  backup: BackupView;
  status_url: string;
}

export interface RestoreView {
  id: string;
  /** The tenant restored into (a clone's: the new tenant). */
  tenant_id: string;
  backup_id: string;
  target: RestoreTarget;
  /** `new_tenant`: the tenant the backup is of; null in place. */
  source_tenant_id: string | null;
  status: RestoreStatus;
  progress: number;
  step: string | null;
  safety_backup_id: string | null;
  /** On failure: whether the tenant was put back on its data as it was (it always should be). */
  rolled_back: boolean;
  error: BackupFailure | null;
  requested_by: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export interface RestoreAccepted {
  restore: RestoreView;
  status_url: string;
  /** `new_tenant`: the new tenant, `pending`: it is provisioned as every sign-up is, then the backup is restored into it (the restore waits until then). */
  tenant?: TenantView;
}

/** One table's rows as the manifest recorded them and as a drill found them restored (null: missing on that side). */
export interface DrillTableCheck {
  schema: string;
  table: string;
  recorded_rows: number | null;
  restored_rows: number | null;
}

/** A restore drill of one backup: scheduled (BACKUP_DRILL_EVERY_HOURS) or asked for by an admin. */
export interface DrillView {
  id: string;
  backup_id: string;
  tenant_id: string;
  trigger: 'scheduled' | 'manual';
  status: DrillStatus;
  step: string | null;
  /** How long the restore into the scratch database took (the measured RTO), in seconds. */
  restore_seconds: number | null;
  /** Every table the manifest recorded or the restore produced, with both counts. */
  tables: DrillTableCheck[];
  error: { code: string; step: string | null; reason: string } | null;
  requested_by: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export interface DrillAccepted {
  drill: DrillView;
  status_url: string;
}

/** The manifest stored beside the parts (public format: additive changes only). */
export interface BackupManifest {
  format: 1;
  backup_id: string;
  tenant_id: string;
  slug: string;
  plan: string;
  database_strategy: 'shared' | 'dedicated';
  database: string;
  schema: string;
  app_version: string | null;
  server_version: string;
  server_version_num: number;
  created_at: string;
  parts: BackupPartView[];
  /** Rows of every table dumped, counted in the dump's own snapshot (restore drills compare them). */
  tables?: BackupTableCount[];
  /** Parts this backup does not hold, and why (a Kubernetes tenant's volume with a storage that cannot take a presigned upload). */
  omitted?: Array<{ part: BackupPart; reason: string }>;
}

export interface BackupTableCount {
  schema: string;
  table: string;
  rows: number;
}

// ---- events (public contract; additive changes only) ----

/** `backup.started`, `backup.completed`, `backup.failed`. */
export class BackupEventData {
  @IsUUID() backup_id!: string;
  @IsUUID() tenant_id!: string;
  @IsIn(BackupTypes) type!: BackupType;
  @IsIn(BackupStatuses) status!: BackupStatus;
  @IsString() storage!: string;
  @IsOptional() @IsInt() @Min(0) size_bytes?: number | null;
  @IsOptional() @IsInt() @Min(0) duration_ms?: number | null;
  @IsOptional() @IsString() checksum?: string | null;
  /** When the archive will be deleted by retention (null: kept until deleted). */
  @IsOptional() @IsISO8601() expires_at?: string | null;
  @IsOptional() @IsNumber() retention_days?: number | null;
  /** `pre_deletion`: the tenant deletion (operation) this final backup belongs to. */
  @IsOptional() @IsUUID() operation_id?: string | null;
  @IsOptional() @IsString() part?: string | null;
  @IsOptional() @IsString() step?: string | null;
  @IsOptional() @IsString() reason?: string | null;
  /** backup.failed of a `pre_deletion` backup that is being taken again (an interruption, a blip): the deletion waits on. */
  @IsOptional() @IsBoolean() will_retry?: boolean;
  [extra: string]: unknown;
}

/** `restore.started`, `restore.completed`, `restore.failed`. */
export class RestoreEventData {
  @IsUUID() restore_id!: string;
  @IsUUID() backup_id!: string;
  @IsUUID() tenant_id!: string;
  @IsIn(RestoreStatuses) status!: RestoreStatus;
  @IsOptional() @IsUUID() safety_backup_id?: string | null;
  @IsOptional() @IsInt() @Min(0) duration_ms?: number | null;
  @IsOptional() @IsString() step?: string | null;
  @IsOptional() @IsString() reason?: string | null;
  @IsOptional() rolled_back?: boolean;
  /** A clone (`new_tenant`): the tenant whose backup was restored into `tenant_id`. */
  @IsOptional() @IsUUID() source_tenant_id?: string | null;
  [extra: string]: unknown;
}

/** `backup.schedule_changed`: a tenant's schedule was set, or a scheduled run moved it to its next time. */
export class BackupScheduleEventData {
  @IsUUID() tenant_id!: string;
  @IsBoolean() enabled!: boolean;
  /** When the next scheduled backup runs; null when the schedule is disabled. */
  @IsOptional() @IsISO8601() next_run_at!: string | null;
  @IsString() schedule!: string;
  @IsString() timezone!: string;
  [extra: string]: unknown;
}

/** `backup.verification_failed`: a restore drill could not restore the backup, or found other tables or row counts than recorded. */
export class BackupVerificationEventData {
  @IsUUID() backup_id!: string;
  @IsUUID() tenant_id!: string;
  @IsString() reason!: string;
  /** The drill that failed (GET admin/backups/{backup_id}/drills/{drill_id}). */
  @IsOptional() @IsUUID() drill_id?: string;
  [extra: string]: unknown;
}

/** Event type → payload class of the events the backups service publishes. */
export const BackupsEventPayloads = Object.freeze({
  [EventTypes.BackupStarted]: BackupEventData,
  [EventTypes.BackupCompleted]: BackupEventData,
  [EventTypes.BackupFailed]: BackupEventData,
  [EventTypes.RestoreStarted]: RestoreEventData,
  [EventTypes.RestoreCompleted]: RestoreEventData,
  [EventTypes.RestoreFailed]: RestoreEventData,
  [EventTypes.BackupScheduleChanged]: BackupScheduleEventData,
  [EventTypes.BackupVerificationFailed]: BackupVerificationEventData,
});
