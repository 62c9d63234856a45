import type { Type } from '@nestjs/common';

/** Migrations of the billing schema, oldest first (the messaging tables' migration runs before these). */
export const billingMigrations: Type[] = [];
