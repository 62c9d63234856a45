import type { Type } from '@nestjs/common';

/** Migrations of the provisioning schema, oldest first (the messaging tables' migration runs before these). */
export const provisioningMigrations: Type[] = [];
