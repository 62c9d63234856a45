import { Module } from '@nestjs/common';
import { OperationsModule } from '../operations/operations.module.js';
import { TenantBackupProjection } from './tenant-backup.projection.js';
import { TenantBillingSaga } from './tenant-billing.saga.js';
import { TenantLifecycle } from './tenant-lifecycle.js';
import { TenantProvisioningSaga } from './tenant-provisioning.saga.js';
import { TenantRestoreSaga } from './tenant-restore.saga.js';

/**
 * The tenant lifecycle: the state machine's only door (TenantLifecycle) and the tenants side of the
 * saga — what provisioning, billing and backups report moves the tenant's state.
 */
@Module({
  imports: [OperationsModule],
  providers: [TenantLifecycle, TenantProvisioningSaga, TenantBillingSaga, TenantRestoreSaga, TenantBackupProjection],
  exports: [TenantLifecycle],
})
export class LifecycleModule {}
