import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BackupsRpc, DrillBackupRequest, DrillRefRequest, RestoreBackupRequest, RestoreRefRequest, type DrillAccepted, type DrillView, type RestoreAccepted, type RestoreView } from '@saas/contracts';
import { RestoreDrills } from './restore-drills.js';
import { RestoresService } from './restores.service.js';

@Controller()
export class RestoresController {
  constructor(
    private readonly restores: RestoresService,
    private readonly drills: RestoreDrills,
  ) {}

  @MessagePattern(BackupsRpc.restore)
  restore(@Payload() req: RestoreBackupRequest): Promise<RestoreAccepted> {
    return this.restores.restore(req);
  }

  @MessagePattern(BackupsRpc.restoreGet)
  get(@Payload() req: RestoreRefRequest): Promise<RestoreView> {
    return this.restores.get(req);
  }

  @MessagePattern(BackupsRpc.drill)
  drill(@Payload() req: DrillBackupRequest): Promise<DrillAccepted> {
    return this.drills.request(req);
  }

  @MessagePattern(BackupsRpc.drillGet)
  drillGet(@Payload() req: DrillRefRequest): Promise<DrillView> {
    return this.drills.get(req);
  }
}
