import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { BackupsRpc, DrillBackupRequest, DrillRefRequest, RestoreBackupRequest, RestoreRefRequest, type DrillAccepted, type DrillView, type RestoreAccepted, type RestoreView } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { RestoreDrills } from './restore-drills.js';
import { RestoresService } from './restores.service.js';

@Controller()
export class RestoresController {
  constructor(
    private readonly restores: RestoresService,
    private readonly drills: RestoreDrills,
  ) {}

  @RpcHandler(BackupsRpc.restore)
  restore(@Payload() req: RestoreBackupRequest): Promise<RestoreAccepted> {
    return this.restores.restore(req);
  }

  @RpcHandler(BackupsRpc.restoreGet)
  get(@Payload() req: RestoreRefRequest): Promise<RestoreView> {
    return this.restores.get(req);
  }

  @RpcHandler(BackupsRpc.drill)
  drill(@Payload() req: DrillBackupRequest): Promise<DrillAccepted> {
    return this.drills.request(req);
  }

  @RpcHandler(BackupsRpc.drillGet)
  drillGet(@Payload() req: DrillRefRequest): Promise<DrillView> {
    return this.drills.get(req);
  }
}
