import type { Type } from '@nestjs/common';
import { CreateBackups1763801000000 } from './1763801000000-create-backups.js';
import { BackupSchedules1763801100000 } from './1763801100000-backup-schedules.js';
import { RestoreDrills1763801400000 } from './1763801400000-restore-drills.js';
import { ClonesAndDrills1765000000000 } from './1765000000000-clones-and-drills.js';
import { TenantPlans1765100000000 } from './1765100000000-tenant-plans.js';

/** Migrations of the backups schema, oldest first (the messaging tables' migration runs before these). */
export const backupsMigrations: Type[] = [CreateBackups1763801000000, BackupSchedules1763801100000, RestoreDrills1763801400000, ClonesAndDrills1765000000000, TenantPlans1765100000000];
