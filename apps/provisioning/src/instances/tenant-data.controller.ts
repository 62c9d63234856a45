import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { InstancePowerRequest, InstanceRefRequest, ProvisioningRpc, VolumeArchiveRequest, VolumeRestoreRequest, type InstancePowerResult, type TenantDataLocation, type VolumeArchiveResult } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { TenantDataService } from './tenant-data.service.js';

/** The backups service's internal subjects (never routed by the gateway). */
@Controller()
export class TenantDataController {
  constructor(private readonly data: TenantDataService) {}

  @RpcHandler(ProvisioningRpc.internalTenantData)
  location(@Payload() req: InstanceRefRequest): Promise<TenantDataLocation> {
    return this.data.location(req.tenant_id);
  }

  @RpcHandler(ProvisioningRpc.internalVolumeArchive)
  archiveVolume(@Payload() req: VolumeArchiveRequest): Promise<VolumeArchiveResult> {
    return this.data.archiveVolume(req);
  }

  @RpcHandler(ProvisioningRpc.internalVolumeRestore)
  restoreVolume(@Payload() req: VolumeRestoreRequest): Promise<{ tenant_id: string }> {
    return this.data.restoreVolume(req);
  }

  @RpcHandler(ProvisioningRpc.internalInstancePower)
  power(@Payload() req: InstancePowerRequest): Promise<InstancePowerResult> {
    return this.data.power(req);
  }
}
