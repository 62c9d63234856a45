import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { InstancePowerRequest, InstanceRefRequest, ProvisioningRpc, VolumeArchiveRequest, VolumeRestoreRequest, type InstancePowerResult, type TenantDataLocation, type VolumeArchiveResult } from '@saas/contracts';
import { TenantDataService } from './tenant-data.service.js';

/** The backups service's internal subjects (never routed by the gateway). */
@Controller()
export class TenantDataController {
  constructor(private readonly data: TenantDataService) {}

  @MessagePattern(ProvisioningRpc.internalTenantData)
  location(@Payload() req: InstanceRefRequest): Promise<TenantDataLocation> {
    return this.data.location(req.tenant_id);
  }

  @MessagePattern(ProvisioningRpc.internalVolumeArchive)
  archiveVolume(@Payload() req: VolumeArchiveRequest): Promise<VolumeArchiveResult> {
    return this.data.archiveVolume(req);
  }

  @MessagePattern(ProvisioningRpc.internalVolumeRestore)
  restoreVolume(@Payload() req: VolumeRestoreRequest): Promise<{ tenant_id: string }> {
    return this.data.restoreVolume(req);
  }

  @MessagePattern(ProvisioningRpc.internalInstancePower)
  power(@Payload() req: InstancePowerRequest): Promise<InstancePowerResult> {
    return this.data.power(req);
  }
}
