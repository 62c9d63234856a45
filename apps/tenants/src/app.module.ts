import { Module } from '@nestjs/common';
import { AccessModule } from './access/access.module.js';
import { ActionsModule } from './actions/actions.module.js';
import { AdminModule } from './admin/admin.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { MembersModule } from './members/members.module.js';
import { OperationsModule } from './operations/operations.module.js';
import { SecurityModule } from './security/security.module.js';
import { SignupModule } from './signup/signup.module.js';
import { TenantsModule } from './tenants/tenants.module.js';

/**
 * The tenants service: tenants, members, the lifecycle state machine and the tenants side of the
 * saga. One module per feature (docs/architecture.md § The shape of a service); the Clock and
 * SecureRandom seams come from the service kit.
 */
@Module({
  imports: [AccessModule, OperationsModule, LifecycleModule, TenantsModule, MembersModule, ActionsModule, AdminModule, SignupModule, SecurityModule],
})
export class AppModule {}
