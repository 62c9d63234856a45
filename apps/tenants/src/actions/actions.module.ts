import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { LifecycleModule } from '../lifecycle/lifecycle.module.js';
import { OperationsModule } from '../operations/operations.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { TenantActionsController } from './tenant-actions.controller.js';
import { TenantActionsService } from './tenant-actions.service.js';

/** Actions on a tenant's instance (owner) and on the tenant (admin): each becomes an operation. */
@Module({
  imports: [AccessModule, LifecycleModule, OperationsModule, TenantsModule],
  controllers: [TenantActionsController],
  providers: [TenantActionsService],
})
export class ActionsModule {}
