import { Module } from '@nestjs/common';
import { InstancesModule } from './instances/instances.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { RuntimeModule } from './runtime/runtime.module.js';
import { SecurityModule } from './security/security.module.js';
import { TenantDatabaseModule } from './tenant-database/tenant-database.module.js';

/**
 * The provisioning service: the provisioning side of the tenant saga, on a local or Kubernetes
 * runtime. One module per feature (docs/architecture.md § The shape of a service). Shutdown goes
 * from the importers down: the worker lets its jobs finish, then the runtime stops its background
 * work, then the tenant databases' admin pool closes; tenants' instances keep running.
 */
@Module({ imports: [TenantDatabaseModule, RuntimeModule, JobsModule, InstancesModule, SecurityModule] })
export class AppModule {}
