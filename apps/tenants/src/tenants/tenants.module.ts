import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { LifecycleModule } from '../lifecycle/lifecycle.module.js';
import { OperationsModule } from '../operations/operations.module.js';
import { TenantsController } from './tenants.controller.js';
import { TenantsService } from './tenants.service.js';

/** Tenants themselves: create, read, change, delete (a deletion and a resize become operations). */
@Module({
  imports: [AccessModule, LifecycleModule, OperationsModule],
  controllers: [TenantsController],
  providers: [TenantsService],
  exports: [TenantsService],
})
export class TenantsModule {}
