import { ApiProperty, OmitType } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import {
  AdminListBackupsRequest,
  BackupStatuses,
  BackupTypes,
  CreateBackupRequest,
  DrillStatuses,
  ListBackupsRequest,
  PutBackupScheduleRequest,
  RestoreBackupRequest,
  RestoreStatuses,
  RestoreTargets,
  SUBDOMAIN_PATTERN,
} from '@saas/contracts';
import { documented, required, str } from '../../identity/dto/documented.js';
import { TenantViewDto } from '../../tenants/dto/tenant.views.js';

/** The backups contract's request classes minus what the gateway fills in (caller, tenant and backup ids). */
export class CreateBackupBody extends OmitType(CreateBackupRequest, ['caller', 'tenant_id'] as const) {}
documented(CreateBackupBody, {
  type: str('Only `manual` (the other types are the platform’s own).', { enum: ['manual'] }),
  reason: str('Why the backup is taken, kept with it.', { maxLength: 500, nullable: true }),
});

export class ListBackupsQuery extends OmitType(ListBackupsRequest, ['caller', 'tenant_id', 'search'] as const) {}

export class RestoreBackupBody extends OmitType(RestoreBackupRequest, ['caller', 'tenant_id', 'backup_id'] as const) {}
documented(RestoreBackupBody, {
  target: str('`in_place` (default): the backup replaces the tenant’s data. `new_tenant`: a new tenant (yours) is signed up and provisioned as any other, then the backup restored into it; the tenant backed up is not touched.', { enum: [...RestoreTargets] }),
  subdomain: str('`new_tenant` only, and required there: the new tenant’s subdomain.', { pattern: SUBDOMAIN_PATTERN.source, example: 'acme-restored' }),
  name: str('`new_tenant` only: the new tenant’s name (default “Restored <slug>”).', { minLength: 2, maxLength: 100 }),
});

export class AdminListBackupsQuery extends OmitType(AdminListBackupsRequest, ['caller', 'search'] as const) {}

export class TenantBackupParams {
  @IsUUID() id!: string;
  @IsUUID() backup_id!: string;
}

export class BackupParams {
  @IsUUID() backup_id!: string;
}

export class BackupDrillParams {
  @IsUUID() backup_id!: string;
  @IsUUID() drill_id!: string;
}

export class TenantRestoreParams {
  @IsUUID() id!: string;
  @IsUUID() restore_id!: string;
}

class BackupFailureDoc {
  @ApiProperty({ type: String, nullable: true, description: '`database`, `files`, `manifest`, `storage` or `restore`.' }) part!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The step that failed, e.g. `dumping database`.' }) step!: string | null;
  @ApiProperty({ description: 'Why.' }) reason!: string;
  @ApiProperty({ required: false, description: 'Restores: `BACKUP_CORRUPT` when the archive failed validation.' }) code?: string;
}

class BackupPartDoc {
  @ApiProperty({ enum: ['database', 'files', 'manifest'] }) name!: string;
  @ApiProperty() size_bytes!: number;
  @ApiProperty({ pattern: '^[a-f0-9]{64}$' }) sha256!: string;
}

/** `BackupView` (libs/contracts/src/backups.ts), documented. */
export class BackupDoc {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ enum: BackupTypes }) type!: string;
  @ApiProperty({ enum: BackupStatuses, description: 'Only `completed` backups can be restored.' }) status!: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress!: number;
  @ApiProperty({ type: String, nullable: true }) step!: string | null;
  @ApiProperty({ description: '`filesystem` or `s3`.' }) storage!: string;
  @ApiProperty({ type: Number, nullable: true }) size_bytes!: number | null;
  @ApiProperty({ type: Number, nullable: true }) duration_ms!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'sha256 of the manifest (which holds every part’s sha256).' }) checksum!: string | null;
  @ApiProperty({ type: [BackupPartDoc] }) parts!: BackupPartDoc[];
  @ApiProperty({ type: BackupFailureDoc, nullable: true }) error!: BackupFailureDoc | null;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) requested_by!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) started_at!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) completed_at!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When retention deletes it; null: kept until deleted.' }) expires_at!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When a restore drill last restored it into a scratch database and found every table and row count as recorded.' }) verified_at!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'How long that restore took, in seconds (the measured RTO).' }) restore_seconds!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the last restore drill failed; null when it passed or none ran.' }) verification_error!: string | null;
}

export class BackupAcceptedDoc {
  @ApiProperty({ type: BackupDoc }) backup!: BackupDoc;
  @ApiProperty({ description: 'Where to follow the backup.' }) status_url!: string;
}

export class BackupPageDoc {
  @ApiProperty() count!: number;
  @ApiProperty({ type: String, nullable: true }) next!: string | null;
  @ApiProperty({ type: String, nullable: true }) previous!: string | null;
  @ApiProperty({ type: [BackupDoc] }) results!: BackupDoc[];
}

/** `RestoreView`, documented. */
export class RestoreDoc {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'The tenant restored into (a clone’s: the new tenant).' }) tenant_id!: string;
  @ApiProperty({ format: 'uuid' }) backup_id!: string;
  @ApiProperty({ enum: RestoreTargets }) target!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: '`new_tenant`: the tenant the backup is of.' }) source_tenant_id!: string | null;
  @ApiProperty({ enum: RestoreStatuses, description: 'A clone stays `pending` (step “waiting for the new tenant to be provisioned”) until its new tenant is provisioned.' }) status!: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress!: number;
  @ApiProperty({ type: String, nullable: true }) step!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The `pre_restore` backup taken first; kept.' }) safety_backup_id!: string | null;
  @ApiProperty({ description: 'On failure: the tenant was put back on its data as it was.' }) rolled_back!: boolean;
  @ApiProperty({ type: BackupFailureDoc, nullable: true }) error!: BackupFailureDoc | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) requested_by!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) started_at!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) completed_at!: string | null;
}

export class RestoreAcceptedDoc {
  @ApiProperty({ type: RestoreDoc }) restore!: RestoreDoc;
  @ApiProperty({ description: 'Where to follow the restore.' }) status_url!: string;
  @ApiProperty({ type: TenantViewDto, required: false, description: '`new_tenant`: the new tenant, `pending` (follow its `status_url` for the provisioning).' }) tenant?: TenantViewDto;
}

class DrillTableDoc {
  @ApiProperty() schema!: string;
  @ApiProperty() table!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Rows the manifest recorded (counted in the dump’s own snapshot); null: not recorded.' }) recorded_rows!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Rows found restored; null: missing.' }) restored_rows!: number | null;
}

class DrillErrorDoc {
  @ApiProperty({ description: '`BACKUP_CORRUPT` (the archive fails its checksums), `BACKUP_VERIFICATION_FAILED` (the restore failed or its counts differ), `BACKUP_NOT_RESTORABLE`.' }) code!: string;
  @ApiProperty({ type: String, nullable: true }) step!: string | null;
  @ApiProperty() reason!: string;
}

/** `DrillView`, documented. */
export class DrillDoc {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) backup_id!: string;
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ enum: ['scheduled', 'manual'] }) trigger!: string;
  @ApiProperty({ enum: DrillStatuses, description: '`completed`: restored into a scratch database (since dropped) with every table and row count as recorded.' }) status!: string;
  @ApiProperty({ type: String, nullable: true }) step!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'How long the restore took, in seconds (the measured RTO).' }) restore_seconds!: number | null;
  @ApiProperty({ type: [DrillTableDoc] }) tables!: DrillTableDoc[];
  @ApiProperty({ type: DrillErrorDoc, nullable: true }) error!: DrillErrorDoc | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) requested_by!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) started_at!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) completed_at!: string | null;
}

export class DrillAcceptedDoc {
  @ApiProperty({ type: DrillDoc }) drill!: DrillDoc;
  @ApiProperty({ description: 'Where to follow the drill.' }) status_url!: string;
}

export class PutBackupScheduleBody extends OmitType(PutBackupScheduleRequest, ['caller', 'tenant_id'] as const) {}
documented(PutBackupScheduleBody, {
  schedule: required(str('A preset (`hourly`, `daily 02:00`, `weekly mon 03:00`) or a 5-field cron expression.', { example: 'daily 02:00' })),
  timezone: str('IANA time zone the schedule is read in.', { default: 'UTC', example: 'Europe/Paris' }),
  enabled: { type: Boolean, description: 'Default true.' },
  keep_last: { type: Number, nullable: true, minimum: 1, description: 'Keep the newest N scheduled backups (capped by the plan); default: the plan’s.' },
  keep_days: { type: Number, nullable: true, minimum: 1, description: 'Keep scheduled backups N days (capped by the plan); default: the plan’s.' },
});

class ScheduleLimitsDoc {
  @ApiProperty() max_keep_last!: number;
  @ApiProperty() max_keep_days!: number;
}

/** `BackupScheduleView`, documented. */
export class BackupScheduleDoc {
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ example: 'daily 02:00' }) schedule!: string;
  @ApiProperty({ example: '0 2 * * *' }) cron!: string;
  @ApiProperty({ example: 'UTC' }) timezone!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: Number, nullable: true }) keep_last!: number | null;
  @ApiProperty({ type: Number, nullable: true }) keep_days!: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) next_run_at!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) last_run_at!: string | null;
  @ApiProperty({ description: 'False while the tenant has not set a schedule (this is the plan’s default, not running).' }) configured!: boolean;
  @ApiProperty({ type: ScheduleLimitsDoc }) limits!: ScheduleLimitsDoc;
}
