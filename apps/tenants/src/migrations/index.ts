import type { Type } from '@nestjs/common';
import { CreateTenants1763800200000 } from './1763800200000-create-tenants.js';
import { OperationErrorCode1764700100000 } from './1764700100000-operation-error-code.js';
import { TenantServiceIds1764900000000 } from './1764900000000-tenant-service-ids.js';

/** Migrations of the tenants schema, oldest first (the messaging tables' migration runs before these). */
export const tenantsMigrations: Type[] = [CreateTenants1763800200000, OperationErrorCode1764700100000, TenantServiceIds1764900000000];
