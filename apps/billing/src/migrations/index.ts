import type { Type } from '@nestjs/common';
import { CreateBilling1764600000000 } from './1764600000000-create-billing.js';

/** Migrations of the billing schema, oldest first (the messaging tables' migration runs before these). */
export const billingMigrations: Type[] = [CreateBilling1764600000000];
