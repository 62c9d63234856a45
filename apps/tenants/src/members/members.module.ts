import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { TenantMembersController } from './tenant-members.controller.js';
import { TenantMembersService } from './tenant-members.service.js';

/** tenants/{id}/users: who belongs to a tenant, with which role. */
@Module({ imports: [AccessModule], controllers: [TenantMembersController], providers: [TenantMembersService] })
export class MembersModule {}
