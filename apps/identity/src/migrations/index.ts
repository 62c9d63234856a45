import type { Type } from '@nestjs/common';

/** Migrations of the identity schema, oldest first (the messaging tables' migration runs before these). */
export const identityMigrations: Type[] = [];
