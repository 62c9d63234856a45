import type { Type } from '@nestjs/common';
import { CreateProvisioning1763800300000 } from './1763800300000-create-provisioning.js';
import { JobCorrelation1763800400000 } from './1763800400000-job-correlation.js';
import { JobTransientRetry1763800500000 } from './1763800500000-job-transient-retry.js';
import { JobAwaitingBackup1763800600000 } from './1763800600000-job-awaiting-backup.js';

/** Migrations of the provisioning schema, oldest first (the messaging tables' migration runs before these). */
export const provisioningMigrations: Type[] = [CreateProvisioning1763800300000, JobCorrelation1763800400000, JobTransientRetry1763800500000, JobAwaitingBackup1763800600000];
