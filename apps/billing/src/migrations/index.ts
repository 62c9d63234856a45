import type { Type } from '@nestjs/common';
import { CreateBilling1764600000000 } from './1764600000000-create-billing.js';
import { InvoiceDrafts1764700000000 } from './1764700000000-invoice-drafts.js';
import { AwaitingFirstPayment1764700000001 } from './1764700000001-awaiting-first-payment.js';
import { ProviderEvents1764700000002 } from './1764700000002-provider-events.js';
import { InvoiceListIndex1764700000003 } from './1764700000003-invoice-list-index.js';

/** Migrations of the billing schema, oldest first (the messaging tables' migration runs before these). */
export const billingMigrations: Type[] = [CreateBilling1764600000000, InvoiceDrafts1764700000000, AwaitingFirstPayment1764700000001, ProviderEvents1764700000002, InvoiceListIndex1764700000003];
