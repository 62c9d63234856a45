import { ApiKey } from './api-keys/api-key.entity.js';
import { AuditLog } from './audit/audit-log.entity.js';
import { LoginThrottle } from './auth/login-throttle.entity.js';
import { UserToken } from './auth/user-token.entity.js';
import { SigningKey } from './keys/signing-key.entity.js';
import { UserSubscription } from './projections/user-subscription.entity.js';
import { UserTenant } from './projections/user-tenant.entity.js';
import { SecurityBlock } from './security/security-block.entity.js';
import { SecurityEvent } from './security/security-event.entity.js';
import { SecurityScan } from './security/security-scan.entity.js';
import { RefreshToken } from './sessions/refresh-token.entity.js';
import { Session } from './sessions/session.entity.js';
import { User } from './users/user.entity.js';

/** Entities of the identity schema (the messaging tables are added by the service kit). */
export const identityEntities = [
  User,
  UserToken,
  LoginThrottle,
  Session,
  RefreshToken,
  SigningKey,
  ApiKey,
  SecurityEvent,
  SecurityBlock,
  SecurityScan,
  AuditLog,
  UserTenant,
  UserSubscription,
];
