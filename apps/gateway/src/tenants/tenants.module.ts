import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { AdminTenantsController } from './admin-tenants.controller.js';
import { InstancesController } from './instances.controller.js';
import { TenantsController } from './tenants.controller.js';

/** The tenants and provisioning services' public routes: thin controllers mapping onto their RPCs. */
@Module({ imports: [HealthModule], controllers: [TenantsController, InstancesController, AdminTenantsController] })
export class TenantsHttpModule {}
