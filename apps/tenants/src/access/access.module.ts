import { Module } from '@nestjs/common';
import { AccessController } from './access.controller.js';
import { TenantAccess } from './tenant-access.js';

/** Tenant-scoped authorization: every feature that acts on a tenant for a caller asks TenantAccess. */
@Module({ controllers: [AccessController], providers: [TenantAccess], exports: [TenantAccess] })
export class AccessModule {}
