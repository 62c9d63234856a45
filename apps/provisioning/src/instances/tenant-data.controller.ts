import path from 'node:path';
import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { DataSource, IsNull } from 'typeorm';
import { InstancePowerRequest, InstanceRefRequest, ProvisioningRpc, VolumeArchiveRequest, VolumeRestoreRequest, type InstancePowerResult, type TenantDataLocation, type VolumeArchiveResult } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { DomainException } from '@saas/errors';
import { SERVICE_CONFIG } from '@saas/service-kit';
import type { ProvisioningConfig } from '../config.js';
import { TENANT_RUNTIME } from '../jobs/tokens.js';
import { localRuntimeOptions } from '../runtime/runtime.factory.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import { TenantInstance } from './tenant-instance.entity.js';

/** Runtime state (it holds the app's credentials) and logs: not the tenant's data, never archived. */
const NOT_TENANT_FILES = ['instance.json', 'app.log*'];

function noInstance(): DomainException {
  return new DomainException('INSTANCE_NOT_FOUND', 'This tenant has no database or instance (yet, or any more).', { status: 404 });
}

/**
 * What the backups service needs from provisioning: where a tenant's data is, and a stop/start of
 * its instance around a restore. Internal subjects, never routed by the gateway; callers have
 * authorized the tenant.
 */
@Controller()
export class TenantDataController {
  constructor(
    @Inject(TENANT_RUNTIME) private readonly runtime: TenantRuntime,
    @Inject(SERVICE_CONFIG) private readonly config: ProvisioningConfig,
    private readonly ds: DataSource,
  ) {}

  @RpcHandler(ProvisioningRpc.internalTenantData)
  async location(@Payload() req: InstanceRefRequest): Promise<TenantDataLocation> {
    const instance = await this.ds.getRepository(TenantInstance).findOneBy({ tenantId: req.tenant_id, deletedAt: IsNull() });
    if (!instance?.database) throw noInstance();
    const local = this.runtime.kind === 'local';
    return {
      tenant_id: instance.tenantId,
      slug: instance.slug,
      plan: instance.plan,
      runtime: instance.runtime,
      app_version: this.config.TENANT_APP_VERSION ?? null,
      database: { strategy: instance.database.strategy, database: instance.database.database, schema: instance.database.schema, role: instance.database.role },
      files: local ? { dir: path.resolve(localRuntimeOptions(this.config).runtimeDir, instance.slug), exclude: NOT_TENANT_FILES } : null,
      volume: !!this.runtime.archiveVolume,
    };
  }

  /** The volume archived by the runtime (kubernetes: a Job in the tenant's namespace), straight to the backup storage. */
  @RpcHandler(ProvisioningRpc.internalVolumeArchive)
  async archiveVolume(@Payload() req: VolumeArchiveRequest): Promise<VolumeArchiveResult> {
    if (!this.runtime.archiveVolume) throw new DomainException('VOLUME_NOT_ARCHIVABLE', `The ${this.runtime.kind} runtime keeps no volume of a tenant's.`, { status: 409 });
    const archived = await this.runtime.archiveVolume(req.tenant_id, req.upload_url, req.timeout_ms);
    return { tenant_id: req.tenant_id, size_bytes: archived.size_bytes, sha256: archived.sha256 };
  }

  /** An archive put back onto the volume (the restore has stopped the instance). */
  @RpcHandler(ProvisioningRpc.internalVolumeRestore)
  async restoreVolume(@Payload() req: VolumeRestoreRequest): Promise<{ tenant_id: string }> {
    if (!this.runtime.restoreVolume) throw new DomainException('VOLUME_NOT_ARCHIVABLE', `The ${this.runtime.kind} runtime keeps no volume of a tenant's.`, { status: 409 });
    await this.runtime.restoreVolume(req.tenant_id, req.download_url, req.sha256, req.timeout_ms);
    return { tenant_id: req.tenant_id };
  }

  /** A transient stop/start (the desired state stays as operators set it): the runtime's calls are idempotent. */
  @RpcHandler(ProvisioningRpc.internalInstancePower)
  async power(@Payload() req: InstancePowerRequest): Promise<InstancePowerResult> {
    if (!(await this.runtime.getInstance(req.tenant_id))) throw noInstance();
    const info = req.action === 'stop' ? await this.runtime.stopInstance(req.tenant_id) : await this.runtime.startInstance(req.tenant_id);
    return { tenant_id: req.tenant_id, status: info.status };
  }
}
