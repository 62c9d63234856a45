import type { Type } from '@nestjs/common';
import { CreateTenants1763800200000 } from './1763800200000-create-tenants.js';
import { TenantRestoringStatus1763801200000 } from './1763801200000-tenant-restoring-status.js';
import { TenantBackupTimes1763801300000 } from './1763801300000-tenant-backup-times.js';
import { OperationErrorCode1764700100000 } from './1764700100000-operation-error-code.js';
import { TenantServiceIds1764900000000 } from './1764900000000-tenant-service-ids.js';

/** Migrations of the tenants schema, oldest first (the messaging tables' migration runs before these). */
export const tenantsMigrations: Type[] = [
  CreateTenants1763800200000,
  TenantRestoringStatus1763801200000,
  TenantBackupTimes1763801300000,
  OperationErrorCode1764700100000,
  TenantServiceIds1764900000000,
];
