import { TenantTransition } from './lifecycle/tenant-transition.entity.js';
import { TenantMember } from './members/tenant-member.entity.js';
import { TenantOperation } from './operations/tenant-operation.entity.js';
import { Tenant } from './tenants/tenant.entity.js';
import { TenantSecret } from './tenants/tenant-secret.entity.js';

/** Entities of the tenants schema (the messaging tables are added by the service kit). */
export const tenantsEntities = [Tenant, TenantSecret, TenantMember, TenantTransition, TenantOperation];
