import { Module } from '@nestjs/common';
import { TenantAccess } from './access/tenant-access.js';
import { TenantActionsService } from './admin/tenant-actions.service.js';
import { TenantsAdminController } from './admin/tenants-admin.controller.js';
import { TenantBillingSaga } from './lifecycle/tenant-billing.saga.js';
import { TenantLifecycle } from './lifecycle/tenant-lifecycle.js';
import { TenantProvisioningSaga } from './lifecycle/tenant-provisioning.saga.js';
import { TenantBackupProjection } from './lifecycle/tenant-backup.projection.js';
import { TenantRestoreSaga } from './lifecycle/tenant-restore.saga.js';
import { TenantMembersController } from './members/tenant-members.controller.js';
import { TenantMembersService } from './members/tenant-members.service.js';
import { TenantOperations } from './operations/tenant-operations.js';
import { SecurityFindingsController } from './security/security-findings.controller.js';
import { SignupTenantHandler } from './signup/signup-tenant.handler.js';
import { TenantsController } from './tenants/tenants.controller.js';
import { TenantsService } from './tenants/tenants.service.js';

/** The tenants service: tenants, members, the lifecycle state machine and the tenants side of the saga. */
@Module({
  controllers: [TenantsController, TenantMembersController, TenantsAdminController, SecurityFindingsController],
  providers: [
    TenantAccess,
    TenantLifecycle,
    TenantOperations,
    TenantsService,
    TenantMembersService,
    TenantActionsService,
    TenantProvisioningSaga,
    TenantBillingSaga,
    TenantRestoreSaga,
    TenantBackupProjection,
    SignupTenantHandler,
  ],
})
export class AppModule {}
