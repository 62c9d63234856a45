import type { Type } from '@nestjs/common';
import { CreateUsers1763800100000 } from './1763800100000-create-users.js';
import { IdentityAuth1763800200000 } from './1763800200000-identity-auth.js';
import { AuditSeedActions1764590000000 } from './1764590000000-audit-seed-actions.js';
import { SecurityBlocks1764590100000 } from './1764590100000-security-blocks.js';
import { SecurityScans1764590200000 } from './1764590200000-security-scans.js';
import { TierOverride1764590300000 } from './1764590300000-tier-override.js';

/** Migrations of the identity schema, oldest first (the messaging tables' migration runs before these). */
export const identityMigrations: Type[] = [CreateUsers1763800100000, IdentityAuth1763800200000, AuditSeedActions1764590000000, SecurityBlocks1764590100000, SecurityScans1764590200000, TierOverride1764590300000];
