import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { SignupTenantHandler } from './signup-tenant.handler.js';

/** The tenant asked for at registration, created once its owner has verified their address. */
@Module({ imports: [TenantsModule], providers: [SignupTenantHandler] })
export class SignupModule {}
