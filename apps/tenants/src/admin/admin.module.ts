import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { TenantsAdminController } from './tenants-admin.controller.js';
import { TenantsAdminService } from './tenants-admin.service.js';

/** Platform admins' views of all tenants (the actions an admin takes are the actions feature's). */
@Module({ imports: [TenantsModule], controllers: [TenantsAdminController], providers: [TenantsAdminService] })
export class AdminModule {}
