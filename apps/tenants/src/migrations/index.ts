import type { Type } from '@nestjs/common';

/** Migrations of the tenants schema, oldest first (the messaging tables' migration runs before these). */
export const tenantsMigrations: Type[] = [];
