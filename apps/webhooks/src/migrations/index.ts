import type { Type } from '@nestjs/common';

/** Migrations of the webhooks schema, oldest first (the messaging tables' migration runs before these). */
export const webhooksMigrations: Type[] = [];
