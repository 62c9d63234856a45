import { Backup } from './backups/backup.entity.js';
import { RestoreDrill } from './restores/restore-drill.entity.js';
import { Restore } from './restores/restore.entity.js';
import { BackupSchedule } from './schedules/backup-schedule.entity.js';
import { TenantPlanRow } from './schedules/tenant-plan.entity.js';

/** Entities of the backups schema (the messaging tables are added by the service kit). */
export const backupsEntities = [Backup, Restore, RestoreDrill, BackupSchedule, TenantPlanRow];
