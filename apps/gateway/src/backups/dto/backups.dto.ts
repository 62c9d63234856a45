import { ApiProperty, OmitType } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { BackupStatuses, BackupTypes, CreateBackupRequest, ListBackupsRequest, RestoreBackupRequest, RestoreStatuses } from '@saas/contracts';
import { documented, str } from '../../identity/dto/documented.js';

/** The backups contract's request classes minus what the gateway fills in (caller, tenant and backup ids). */
export class CreateBackupBody extends OmitType(CreateBackupRequest, ['caller', 'tenant_id'] as const) {}
documented(CreateBackupBody, {
  type: str('Only `manual` (the other types are the platform’s own).', { enum: ['manual'] }),
  reason: str('Why the backup is taken, kept with it.', { maxLength: 500, nullable: true }),
});

export class ListBackupsQuery extends OmitType(ListBackupsRequest, ['caller', 'tenant_id', 'search'] as const) {}

export class RestoreBackupBody extends OmitType(RestoreBackupRequest, ['caller', 'tenant_id', 'backup_id'] as const) {}
documented(RestoreBackupBody, { target: str('`in_place` (default): the backup replaces the tenant’s data.', { enum: ['in_place'] }) });

export class TenantBackupParams {
  @IsUUID() id!: string;
  @IsUUID() backup_id!: string;
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
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ format: 'uuid' }) backup_id!: string;
  @ApiProperty({ enum: RestoreStatuses }) status!: string;
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
}
