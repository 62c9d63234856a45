import { Module } from '@nestjs/common';
import { TenantOperations } from './tenant-operations.js';

/** Long operations on a tenant's resources (one at a time), announced to provisioning as events. */
@Module({ providers: [TenantOperations], exports: [TenantOperations] })
export class OperationsModule {}
