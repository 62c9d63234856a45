import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import type { InstancePowerRequest, TenantDataLocation, VolumeArchiveRequest, VolumeArchiveResult, VolumeRestoreRequest, InstancePowerResult } from '@saas/contracts';
import { SERVICE_CONFIG } from '@saas/service-kit';
import type { ProvisioningConfig } from '../config.js';
import { localRuntimeOptions } from '../runtime/runtime.factory.js';
import { TENANT_RUNTIME } from '../runtime/runtime.tokens.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import { InstancesException } from './instances.exception.js';
import { TenantInstance } from './tenant-instance.entity.js';

/** Runtime state (it holds the app's credentials) and logs: not the tenant's data, never archived. */
const NOT_TENANT_FILES = ['instance.json', 'app.log*'];

/**
 * What the backups service needs from provisioning: where a tenant's data is, its volume archived
 * and put back, and a stop/start of its instance around a restore. Callers have authorized the tenant.
 */
@Injectable()
export class TenantDataService {
  constructor(
    @Inject(TENANT_RUNTIME) private readonly runtime: TenantRuntime,
    @Inject(SERVICE_CONFIG) private readonly config: ProvisioningConfig,
    private readonly ds: DataSource,
  ) {}

  async location(tenantId: string): Promise<TenantDataLocation> {
    const instance = await this.ds.getRepository(TenantInstance).findOneBy({ tenantId, deletedAt: IsNull() });
    if (!instance?.database) throw InstancesException.noTenantData();
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
  async archiveVolume(req: VolumeArchiveRequest): Promise<VolumeArchiveResult> {
    if (!this.runtime.archiveVolume) throw InstancesException.volumeNotArchivable(this.runtime.kind);
    const archived = await this.runtime.archiveVolume(req.tenant_id, req.upload_url, req.timeout_ms);
    return { tenant_id: req.tenant_id, size_bytes: archived.size_bytes, sha256: archived.sha256 };
  }

  /** An archive put back onto the volume (the restore has stopped the instance). */
  async restoreVolume(req: VolumeRestoreRequest): Promise<{ tenant_id: string }> {
    if (!this.runtime.restoreVolume) throw InstancesException.volumeNotArchivable(this.runtime.kind);
    await this.runtime.restoreVolume(req.tenant_id, req.download_url, req.sha256, req.timeout_ms);
    return { tenant_id: req.tenant_id };
  }

  /** A transient stop/start (the desired state stays as operators set it): the runtime's calls are idempotent. */
  async power(req: InstancePowerRequest): Promise<InstancePowerResult> {
    if (!(await this.runtime.getInstance(req.tenant_id))) throw InstancesException.noTenantData();
    const info = req.action === 'stop' ? await this.runtime.stopInstance(req.tenant_id) : await this.runtime.startInstance(req.tenant_id);
    return { tenant_id: req.tenant_id, status: info.status };
  }
}
