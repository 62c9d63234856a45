import type { Type } from '@nestjs/common';
import { CreateWebhooks1764500000000 } from './1764500000000-create-webhooks.js';
import { CreateIntegrations1764500100000 } from './1764500100000-create-integrations.js';
import { CreateTenantContacts1764500200000 } from './1764500200000-create-tenant-contacts.js';
import { DeliveryLeaseOwner1764500300000 } from './1764500300000-delivery-lease-owner.js';

/** Migrations of the webhooks schema, oldest first (the messaging tables' migration runs before these). */
export const webhooksMigrations: Type[] = [CreateWebhooks1764500000000, CreateIntegrations1764500100000, CreateTenantContacts1764500200000, DeliveryLeaseOwner1764500300000];
