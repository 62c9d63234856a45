import { Module } from '@nestjs/common';
import { RuntimeModule } from '../runtime/runtime.module.js';
import { TenantDatabaseModule } from '../tenant-database/tenant-database.module.js';
import { InstanceAccess } from './instance-access.js';
import { InstancesController } from './instances.controller.js';
import { InstancesService } from './instances.service.js';
import { TenantDataController } from './tenant-data.controller.js';
import { TenantDataService } from './tenant-data.service.js';

/** Tenants' instances: what the API shows of them, and what the backups service needs of them. */
@Module({
  imports: [RuntimeModule, TenantDatabaseModule],
  controllers: [InstancesController, TenantDataController],
  providers: [InstancesService, TenantDataService, InstanceAccess],
})
export class InstancesModule {}
