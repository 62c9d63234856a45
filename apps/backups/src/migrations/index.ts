import type { Type } from '@nestjs/common';

/** Migrations of the backups schema, oldest first (the messaging tables' migration runs before these). */
export const backupsMigrations: Type[] = [];
